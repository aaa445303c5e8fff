import { Role } from '../../common/auth/auth-user.js';
import type { MoveVerdict, OrderParty } from '../orders/order.policy.js';
import { DisputeStatus } from './entities/dispute.entity.js';

/**
 * Who may see a dispute and use its chat: the order's client and performer, every MODERATOR
 * (assigned or not) and ADMIN.
 */
export function canSeeDispute(role: Role, party: OrderParty): boolean {
  return party !== null || role === Role.Moderator || role === Role.Admin;
}

/** Who may open a dispute on an order: its client or performer, or ADMIN. */
export function canOpenDispute(role: Role, party: OrderParty): boolean {
  return party !== null || role === Role.Admin;
}

/** 'moderator': any MODERATOR takes an open dispute; 'assigned': its moderator closes it. */
type Mover = 'moderator' | 'assigned';

/** The moves of a dispute; ADMIN makes any of them (and so may close one nobody has taken). */
const MOVES: Partial<Record<DisputeStatus, Partial<Record<DisputeStatus, Mover>>>> = {
  [DisputeStatus.Open]: {
    [DisputeStatus.InReview]: 'moderator',
    [DisputeStatus.Resolved]: 'assigned',
    [DisputeStatus.Rejected]: 'assigned',
  },
  [DisputeStatus.InReview]: {
    [DisputeStatus.Resolved]: 'assigned',
    [DisputeStatus.Rejected]: 'assigned',
  },
};

/**
 * Whether the caller may move a dispute from `from` to `to`. The order's client and performer
 * never take or close their own dispute, whatever role a token gives them.
 */
export function judgeDisputeMove(
  from: DisputeStatus,
  to: DisputeStatus,
  role: Role,
  { isAssigned, isParty }: { isAssigned: boolean; isParty: boolean },
): MoveVerdict {
  const mover = MOVES[from]?.[to];
  if (!mover) return 'illegal';
  if (isParty) return 'forbidden';
  if (role === Role.Admin) return 'allowed';
  if (mover === 'moderator') return role === Role.Moderator ? 'allowed' : 'forbidden';
  return isAssigned ? 'allowed' : 'forbidden';
}

/** Statuses in which a dispute is still open (one per order at a time). */
export const OPEN_DISPUTE: readonly DisputeStatus[] = [DisputeStatus.Open, DisputeStatus.InReview];
