import { Role } from '../../common/auth/auth-user.js';
import { OrderStatus } from './entities/order.entity.js';

/** The caller's part in an order. */
export type OrderParty = 'client' | 'performer' | null;

export function partyOf(
  userId: string,
  order: { clientId: string; performerId: string },
): OrderParty {
  if (userId === order.clientId) return 'client';
  if (userId === order.performerId) return 'performer';
  return null;
}

/** Its parties and ADMIN may see an order; a MODERATOR may too once it has had a dispute. */
export function canSeeOrder(role: Role, party: OrderParty, hasDispute: boolean): boolean {
  if (party || role === Role.Admin) return true;
  return role === Role.Moderator && hasDispute;
}

/** Its parties and ADMIN may join, read and write an order's chat. */
export function canUseOrderChat(role: Role, party: OrderParty): boolean {
  return party !== null || role === Role.Admin;
}

/**
 * The moves PATCH /orders/:id/status may make, and who makes each: the performer starts and
 * delivers, the client completes or cancels. DISPUTED comes only with a dispute, and leaves only
 * when it closes.
 */
const MOVES: Partial<Record<OrderStatus, Partial<Record<OrderStatus, OrderParty>>>> = {
  [OrderStatus.New]: { [OrderStatus.InProgress]: 'performer', [OrderStatus.Cancelled]: 'client' },
  [OrderStatus.InProgress]: {
    [OrderStatus.Delivered]: 'performer',
    [OrderStatus.Cancelled]: 'client',
  },
  [OrderStatus.Delivered]: { [OrderStatus.Completed]: 'client' },
};

export type MoveVerdict = 'allowed' | 'illegal' | 'forbidden';

/** Whether `party` (with account `role`) may move an order from `from` to `to`; ADMIN makes any legal move. */
export function judgeOrderMove(
  from: OrderStatus,
  to: OrderStatus,
  role: Role,
  party: OrderParty,
): MoveVerdict {
  const mover = MOVES[from]?.[to];
  if (!mover) return 'illegal';
  return mover === party || role === Role.Admin ? 'allowed' : 'forbidden';
}

/** Orders a dispute may be opened on. */
export const DISPUTABLE: readonly OrderStatus[] = [
  OrderStatus.InProgress,
  OrderStatus.Delivered,
  OrderStatus.Completed,
];
