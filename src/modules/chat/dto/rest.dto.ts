import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DEFAULT_PAGE, GetMessagesDto, JoinChatDto, PageLimit, SeqCursor } from './chat-ref.dto.js';
import { ChatStatusDto, EditMessageDto, TypingDto } from './message-ref.dto.js';
import { ReadMessagesDto, SendMessageDto } from './send-message.dto.js';

/** REST bodies: the socket payloads without the ids that the path carries. */
export class SendMessageBodyDto extends OmitType(SendMessageDto, ['chatId'] as const) {}
export class ReadMessagesBodyDto extends OmitType(ReadMessagesDto, ['chatId'] as const) {}
export class ChatStatusBodyDto extends OmitType(ChatStatusDto, ['chatId'] as const) {}
export class EditMessageBodyDto extends OmitType(EditMessageDto, ['messageId'] as const) {}

/** The same payloads without chatId, for namespaces that name the chat another way (/orders). */
export class JoinOptionsDto extends OmitType(JoinChatDto, ['chatId'] as const) {}
export class HistoryOptionsDto extends OmitType(GetMessagesDto, ['chatId'] as const) {}
export class TypingBodyDto extends OmitType(TypingDto, ['chatId'] as const) {}

/** Query strings arrive as text: their numbers are read from digits, as socket payloads' are. */
export class PageQueryDto {
  @PageLimit()
  limit: number = DEFAULT_PAGE;
}

export class ChatsQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class MessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Messages with seq below this (exclusive)' })
  @SeqCursor(1)
  before?: number;

  @ApiPropertyOptional({ description: 'Messages with seq above this (exclusive)' })
  @SeqCursor(0)
  after?: number;
}
