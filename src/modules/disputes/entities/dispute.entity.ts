import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Chat } from '../../chat/entities/chat.entity.js';
import { Order, OrderStatus } from '../../orders/entities/order.entity.js';
import { User } from '../../users/entities/user.entity.js';

export enum DisputeStatus {
  Open = 'OPEN',
  InReview = 'IN_REVIEW',
  Resolved = 'RESOLVED',
  Rejected = 'REJECTED',
}

/** A dispute over an order, handled by a moderator; it owns one DISPUTE chat. */
@Entity('disputes')
@Check('CHK_disputes_status', `"status" IN ('OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED')`)
// One open (OPEN or IN_REVIEW) dispute per order, whatever races happen.
@Index('UQ_disputes_open_per_order', ['orderId'], {
  unique: true,
  where: `"status" IN ('OPEN', 'IN_REVIEW')`,
})
@Index('IDX_disputes_order', ['orderId', 'createdAt'])
// The order's parties, copied (they never change) so their dispute lists walk an index.
@Index('IDX_disputes_client', ['clientId', 'createdAt', 'id'])
@Index('IDX_disputes_performer', ['performerId', 'createdAt', 'id'])
@Index('IDX_disputes_status', ['status', 'createdAt', 'id'])
@Index('IDX_disputes_moderator', ['moderatorId', 'createdAt', 'id'], {
  where: '"moderator_id" IS NOT NULL',
})
@Index('IDX_disputes_created', ['createdAt', 'id'])
// For the foreign key's check when a user is deleted.
@Index('IDX_disputes_opened_by', ['openedBy'])
export class Dispute {
  /** Chosen by the service, so the dispute and its chat can point at each other in one transaction. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'performer_id', type: 'text' })
  performerId!: string;

  @Column({ name: 'opened_by', type: 'text' })
  openedBy!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', default: DisputeStatus.Open })
  status!: DisputeStatus;

  /** The order's status when the dispute opened: the order returns to it when the dispute closes. */
  @Column({ name: 'order_status_before', type: 'text' })
  orderStatusBefore!: OrderStatus;

  @Column({ name: 'moderator_id', type: 'text', nullable: true })
  moderatorId!: string | null;

  @Column({ type: 'text', nullable: true })
  resolution!: string | null;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'FK_disputes_order' })
  order?: Order;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'opened_by', foreignKeyConstraintName: 'FK_disputes_opened_by' })
  opener?: User;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'moderator_id', foreignKeyConstraintName: 'FK_disputes_moderator' })
  moderator?: User;

  @OneToOne(() => Chat, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'FK_disputes_chat' })
  chat?: Chat;
}
