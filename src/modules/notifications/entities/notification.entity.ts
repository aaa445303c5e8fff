import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

export enum NotificationType {
  InApp = 'IN_APP',
  Email = 'EMAIL',
}

/** What caused a notification (PROTOCOL.md), plus `custom` for those other services send. */
export const NotificationKind = {
  MessageNew: 'message.new',
  MessageReply: 'message.reply',
  OrderStatus: 'order.status',
  DisputeOpened: 'dispute.opened',
  DisputeAssigned: 'dispute.assigned',
  DisputeStatus: 'dispute.status',
  Custom: 'custom',
} as const;

@Entity('notifications')
@Check('CHK_notifications_type', `"type" IN ('IN_APP', 'EMAIL')`)
// A user's notifications newest first, and the unread ones (count and unreadOnly pages).
@Index('IDX_notifications_user', ['userId', 'createdAt', 'id'])
@Index('IDX_notifications_unread', ['userId', 'createdAt', 'id'], { where: '"read_at" IS NULL' })
// At most one unread notification per user and coalescing key (message.new: the chat).
@Index('UQ_notifications_coalesce', ['userId', 'coalesceKey'], {
  unique: true,
  where: '"read_at" IS NULL AND "coalesce_key" IS NOT NULL',
})
export class Notification {
  /** Time-ordered (UUIDv7, migration TimeOrderedIds): inserts stay at the index's right edge. */
  @PrimaryColumn({ type: 'uuid', default: () => 'uuid_v7()' })
  id!: string;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  type!: NotificationType;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'action_url', type: 'text', nullable: true })
  actionUrl!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  data!: Record<string, unknown> | null;

  @Column({ name: 'coalesce_key', type: 'text', nullable: true })
  coalesceKey!: string | null;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_notifications_user' })
  user?: User;
}
