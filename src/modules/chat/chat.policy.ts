import { Role } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import type { Actor } from './chat.types.js';
import { ChatMemberRole } from './entities/chat-member.entity.js';
import { ChatType } from './entities/chat.entity.js';

/**
 * Who may join, read and write a chat: its members; ADMIN any chat; MODERATOR any DISPUTE chat.
 * Everyone else is FORBIDDEN, whether or not the chat exists.
 */
export function canAccessChat(role: Role, chatType: ChatType, isMember: boolean): boolean {
  if (isMember || role === Role.Admin) return true;
  return role === Role.Moderator && chatType === ChatType.Dispute;
}

/**
 * canAccessChat as an SQL condition, for the statements that check access in the write itself (a
 * send is checked and stored in one statement). The arguments are SQL expressions: whether the
 * user is a member (boolean), their role and the chat's type (text).
 */
export function canAccessChatSql(isMember: string, role: string, chatType: string): string {
  return `(${isMember} OR ${role} = '${Role.Admin}' OR (${role} = '${Role.Moderator}' AND ${chatType} = '${ChatType.Dispute}'))`;
}

/** The chat's row when `actor` may see the chat; FORBIDDEN, whether or not it exists, otherwise. */
export function permitted<Row extends { type: ChatType; is_member: boolean }>(
  actor: Pick<Actor, 'role'>,
  row: Row | undefined,
): Row {
  if (!row || !canAccessChat(actor.role, row.type, row.is_member))
    throw new DomainException(ErrorCode.Forbidden);
  return row;
}

/**
 * The order's client or performer, in its ORDER or DISPUTE chat (they are its MEMBERs there; the
 * moderator a dispute is handed to is its MODERATOR). A party never moderates its own case,
 * whatever role a token gives them.
 */
function isParty(chatType: ChatType, memberRole: ChatMemberRole | null): boolean {
  const linked = chatType === ChatType.Order || chatType === ChatType.Dispute;
  return linked && memberRole === ChatMemberRole.Member;
}

/** Whether the caller may delete others' messages, and delete in a closed chat. */
export function moderatesChat(
  role: Role,
  chatType: ChatType,
  memberRole: ChatMemberRole | null,
): boolean {
  return (role === Role.Admin || role === Role.Moderator) && !isParty(chatType, memberRole);
}

/** Whether the caller may do what ADMIN may in any chat (change its status). */
export function administersChat(
  role: Role,
  chatType: ChatType,
  memberRole: ChatMemberRole | null,
): boolean {
  return role === Role.Admin && !isParty(chatType, memberRole);
}
