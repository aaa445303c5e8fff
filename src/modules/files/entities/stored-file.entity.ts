import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Chat } from '../../chat/entities/chat.entity.js';
import { Message } from '../../chat/entities/message.entity.js';
import { User } from '../../users/entities/user.entity.js';

/** An upload; attached to at most one message, which makes it visible to that chat. */
@Entity('files')
// The uploads no message has taken yet: by uploader for the per-user cap, by age for the sweep.
@Index('IDX_files_unsent', ['uploaderId'], { where: '"message_id" IS NULL' })
@Index('IDX_files_unsent_age', ['createdAt'], { where: '"message_id" IS NULL' })
export class StoredFile {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('IDX_files_uploader')
  @Column({ name: 'uploader_id', type: 'text' })
  uploaderId!: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName!: string;

  @Column({ name: 'mime_type', type: 'text' })
  mimeType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ name: 'storage_key', type: 'text' })
  storageKey!: string;

  @Index('IDX_files_message', { where: '"message_id" IS NOT NULL' })
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId!: string | null;

  @Index('IDX_files_chat', { where: '"chat_id" IS NOT NULL' })
  @Column({ name: 'chat_id', type: 'uuid', nullable: true })
  chatId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'uploader_id', foreignKeyConstraintName: 'FK_files_uploader' })
  uploader?: User;

  // A sent file goes with its message (and chat): it can never be attached again elsewhere.
  @ManyToOne(() => Message, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id', foreignKeyConstraintName: 'FK_files_message' })
  message?: Message;

  @ManyToOne(() => Chat, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chat_id', foreignKeyConstraintName: 'FK_files_chat' })
  chat?: Chat;
}
