import { Role } from '../../common/auth/auth-user.js';
import { ChatType } from './entities/chat.entity.js';

/**
 * Who may join, read and write a chat: its members; ADMIN any chat; MODERATOR any DISPUTE chat.
 * Everyone else is FORBIDDEN, whether or not the chat exists.
 */
export function canAccessChat(role: Role, chatType: ChatType, isMember: boolean): boolean {
  if (isMember || role === Role.Admin) return true;
  return role === Role.Moderator && chatType === ChatType.Dispute;
}
