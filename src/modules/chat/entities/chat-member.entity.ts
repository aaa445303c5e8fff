import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';
import { Chat } from './chat.entity.js';

/** A member's part in one chat (not their account role): the creator owns a group. */
export enum ChatMemberRole {
  Owner = 'OWNER',
  Member = 'MEMBER',
  Moderator = 'MODERATOR',
}

@Entity('chat_members')
@Check('CHK_chat_members_role', `"role" IN ('OWNER', 'MEMBER', 'MODERATOR')`)
@Index('IDX_chat_members_user', ['userId', 'chatId'])
export class ChatMember {
  @PrimaryColumn({ name: 'chat_id', type: 'uuid' })
  chatId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId!: string;

  @Column({ type: 'text', default: ChatMemberRole.Member })
  role!: ChatMemberRole;

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
