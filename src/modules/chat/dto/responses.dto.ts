import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../../../common/auth/auth-user.js';
import { ChatStatus, ChatType } from '../entities/chat.entity.js';
import { MessageType } from '../entities/message.entity.js';

// Response schemas for Swagger; the services return the matching interfaces of chat.types.ts.

export class MemberResponse {
  @ApiProperty() userId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: Role }) role!: Role;
  @ApiProperty() lastReadSeq!: number;
  @ApiProperty({ format: 'date-time' }) joinedAt!: string;
}

export class AttachmentResponse {
  @ApiProperty() id!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() mimeType!: string;
  @ApiProperty() size!: number;
  @ApiProperty() url!: string;
}

export class ReactionResponse {
  @ApiProperty() emoji!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ type: [String] }) userIds!: string[];
}

export class ReplySummaryResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ type: String, nullable: true }) senderId!: string | null;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty() isDeleted!: boolean;
}

export class MessageResponse {
  @ApiProperty() id!: string;
  @ApiProperty() chatId!: string;
  @ApiProperty({ description: 'Position in the chat: 1, 2, 3... with no gaps' }) seq!: number;
  @ApiProperty({ type: String, nullable: true }) senderId!: string | null;
  @ApiProperty({ type: String, nullable: true }) senderRole!: string | null;
  @ApiProperty({ enum: MessageType }) type!: MessageType;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: [AttachmentResponse] }) attachments!: AttachmentResponse[];
  @ApiProperty({ type: String, nullable: true }) replyToId!: string | null;
  @ApiProperty({ type: ReplySummaryResponse, nullable: true })
  replyTo!: ReplySummaryResponse | null;
  @ApiProperty({ type: String, nullable: true }) clientMessageId!: string | null;
  @ApiProperty({ type: [ReactionResponse] }) reactions!: ReactionResponse[];
  @ApiProperty() isDeleted!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deletedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class ChatResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ChatType }) type!: ChatType;
  @ApiProperty({ description: 'Empty for a DIRECT chat' }) title!: string;
  @ApiProperty({ enum: ChatStatus }) status!: ChatStatus;
  @ApiProperty({ type: String, nullable: true }) orderId!: string | null;
  @ApiProperty({ type: String, nullable: true }) disputeId!: string | null;
  @ApiProperty({ type: [MemberResponse] }) members!: MemberResponse[];
  @ApiProperty() lastSeq!: number;
  @ApiProperty({ type: MessageResponse, nullable: true }) lastMessage!: MessageResponse | null;
  @ApiProperty({ description: 'For the asking user' }) unreadCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ChatPageResponse {
  @ApiProperty({ type: [ChatResponse] }) items!: ChatResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class MessagePageResponse {
  @ApiProperty({ type: [MessageResponse] }) items!: MessageResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The seq to pass as before/after next (in the same direction)',
  })
  nextCursor!: number | null;
}

export class ReadResponse {
  @ApiProperty() chatId!: string;
  @ApiProperty() lastReadSeq!: number;
  @ApiProperty() unreadCount!: number;
}

export class ChatIdResponse {
  @ApiProperty() chatId!: string;
}
