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
import { User } from '../../users/entities/user.entity.js';

export enum OrderStatus {
  New = 'NEW',
  InProgress = 'IN_PROGRESS',
  Delivered = 'DELIVERED',
  Completed = 'COMPLETED',
  Cancelled = 'CANCELLED',
  Disputed = 'DISPUTED',
}

/** An order between a client and a performer; it owns one ORDER chat. */
@Entity('orders')
@Check(
  'CHK_orders_status',
  `"status" IN ('NEW', 'IN_PROGRESS', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED')`,
)
@Check('CHK_orders_parties', `"client_id" <> "performer_id"`)
@Check('CHK_orders_amount', `"amount" IS NULL OR "amount" >= 0`)
// A user's orders, newest first, as a client and as a performer (keyset on created_at, id).
@Index('IDX_orders_client', ['clientId', 'createdAt', 'id'])
@Index('IDX_orders_performer', ['performerId', 'createdAt', 'id'])
@Index('IDX_orders_created', ['createdAt', 'id'])
@Index('IDX_orders_status', ['status', 'createdAt', 'id'])
export class Order {
  /** Chosen by the service, so the order and its chat can point at each other in one transaction. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'performer_id', type: 'text' })
  performerId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  amount!: string | null;

  @Column({ type: 'text', default: OrderStatus.New })
  status!: OrderStatus;

  @Column({ name: 'chat_id', type: 'uuid' })
  chatId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'FK_orders_client' })
  client?: User;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'performer_id', foreignKeyConstraintName: 'FK_orders_performer' })
  performer?: User;

  @OneToOne(() => Chat, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'FK_orders_chat' })
  chat?: Chat;
}
