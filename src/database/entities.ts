import { ChatMember } from '../modules/chat/entities/chat-member.entity.js';
import { Chat } from '../modules/chat/entities/chat.entity.js';
import { MessageReaction } from '../modules/chat/entities/message-reaction.entity.js';
import { Message } from '../modules/chat/entities/message.entity.js';
import { Dispute } from '../modules/disputes/entities/dispute.entity.js';
import { MailOutbox } from '../modules/notifications/entities/mail-outbox.entity.js';
import { Notification } from '../modules/notifications/entities/notification.entity.js';
import { Order } from '../modules/orders/entities/order.entity.js';
import { StoredFile } from '../modules/files/entities/stored-file.entity.js';
import { User } from '../modules/users/entities/user.entity.js';

/** Every entity, for the application and for the TypeORM CLI (ormconfig.ts). */
export const ENTITIES = [
  User,
  Chat,
  ChatMember,
  Message,
  MessageReaction,
  StoredFile,
  Order,
  Dispute,
  Notification,
  MailOutbox,
];
