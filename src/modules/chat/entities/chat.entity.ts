import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export enum ChatType {
  Direct = 'DIRECT',
  Group = 'GROUP',
  Support = 'SUPPORT',
  Order = 'ORDER',
  Dispute = 'DISPUTE',
}

export enum ChatStatus {
  Active = 'ACTIVE',
  Pending = 'PENDING',
  Closed = 'CLOSED',
}

@Entity('chats')
@Check('CHK_chats_type', `"type" IN ('DIRECT', 'GROUP', 'SUPPORT', 'ORDER', 'DISPUTE')`)
@Check('CHK_chats_status', `"status" IN ('ACTIVE', 'PENDING', 'CLOSED')`)
export class Chat {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  type!: ChatType;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', default: ChatStatus.Active })
  status!: ChatStatus;

  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId!: string | null;

  @Column({ name: 'dispute_id', type: 'uuid', nullable: true })
  disputeId!: string | null;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;

  /** For DIRECT chats, the two member ids sorted and joined: one DIRECT chat per pair. */
  @Index('UQ_chats_direct_key', { unique: true, where: '"direct_key" IS NOT NULL' })
  @Column({ name: 'direct_key', type: 'text', nullable: true })
  directKey!: string | null;

  /** Seq of the chat's latest message: messages are numbered 1..lastSeq with no gaps. */
  @Column({ name: 'last_seq', type: 'integer', default: 0 })
  lastSeq!: number;

  @Column({ name: 'last_activity_at', type: 'timestamptz', default: () => 'now()' })
  lastActivityAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
