import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import { Chat } from './chat.entity.js';

@Entity('chat_members')
@Index('IDX_chat_members_user', ['userId', 'chatId'])
export class ChatMember {
  @PrimaryColumn({ name: 'chat_id', type: 'uuid' })
  chatId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ name: 'last_read_seq', type: 'integer', default: 0 })
  lastReadSeq!: number;

  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'now()' })
  joinedAt!: Date;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'FK_chat_members_chat' })
  chat?: Chat;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_chat_members_user' })
  user?: User;
}
