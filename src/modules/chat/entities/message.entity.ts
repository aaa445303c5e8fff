import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
} from 'typeorm';
import { Chat } from './chat.entity.js';

export enum MessageType {
  Text = 'TEXT',
  File = 'FILE',
  System = 'SYSTEM',
}

@Entity('messages')
@Unique('UQ_messages_chat_seq', ['chatId', 'seq'])
@Index('UQ_messages_client_message_id', ['chatId', 'senderId', 'clientMessageId'], {
  unique: true,
  where: '"client_message_id" IS NOT NULL',
})
// Unread counts subtract a member's own messages and the deleted ones from a range of seqs
// (chat.service.ts, unreadOf): the last two find just those (migration UnreadCountsByIndex). The
// first is what the previous release counted with, kept while its nodes may still run.
@Index('IDX_messages_unread', ['chatId', 'seq', 'senderId'], { where: 'NOT "is_deleted"' })
@Index('IDX_messages_sender', ['chatId', 'senderId', 'seq'], { where: 'NOT "is_deleted"' })
@Index('IDX_messages_deleted', ['chatId', 'seq'], { where: '"is_deleted"' })
@Check('CHK_messages_type', `"type" IN ('TEXT', 'FILE', 'SYSTEM')`)
export class Message {
  /** Time-ordered (UUIDv7, migration TimeOrderedIds): inserts stay at the index's right edge. */
  @PrimaryColumn({ type: 'uuid', default: () => 'uuid_v7()' })
  id!: string;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  /** Null for SYSTEM messages. */
  @Column({ name: 'sender_id', type: 'text', nullable: true })
  senderId!: string | null;

  @Column({ name: 'sender_role', type: 'text', nullable: true })
  senderRole!: string | null;

  @Column({ type: 'text' })
  type!: MessageType;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Index('IDX_messages_reply_to', { where: '"reply_to_id" IS NOT NULL' })
  @Column({ name: 'reply_to_id', type: 'uuid', nullable: true })
  replyToId!: string | null;

  @Column({ name: 'client_message_id', type: 'text', nullable: true })
  clientMessageId!: string | null;

  @Column({ name: 'is_deleted', type: 'boolean', default: false })
  isDeleted!: boolean;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'FK_messages_chat' })
  chat?: Chat;

  @ManyToOne(() => Message, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'reply_to_id', foreignKeyConstraintName: 'FK_messages_reply_to' })
  replyTo?: Message;
}
