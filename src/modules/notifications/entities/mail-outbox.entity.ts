import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Notification } from './notification.entity.js';

export enum MailStatus {
  Pending = 'PENDING',
  Sent = 'SENT',
  Failed = 'FAILED',
}

/**
 * Every EMAIL notification, as a mail to send: written with the notification, sent (and retried)
 * when SMTP_URL is set, kept either way.
 */
@Entity('mail_outbox')
@Check('CHK_mail_outbox_status', `"status" IN ('PENDING', 'SENT', 'FAILED')`)
@Index('IDX_mail_outbox_due', ['nextAttemptAt'], { where: `"status" = 'PENDING'` })
// For the cascade when a notification is deleted.
@Index('IDX_mail_outbox_notification', ['notificationId'])
export class MailOutbox {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @Column({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'text', default: MailStatus.Pending })
  status!: MailStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => Notification, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'FK_mail_outbox_notification' })
  notification?: Notification;
}
