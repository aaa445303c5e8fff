import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DEFAULT_PAGE, MAX_PAGE } from './chat-ref.dto.js';
import { ChatStatusDto, EditMessageDto } from './message-ref.dto.js';
import { ReadMessagesDto, SendMessageDto } from './send-message.dto.js';

/** REST bodies: the socket payloads without the ids that the path carries. */
export class SendMessageBodyDto extends OmitType(SendMessageDto, ['chatId'] as const) {}
export class ReadMessagesBodyDto extends OmitType(ReadMessagesDto, ['chatId'] as const) {}
export class ChatStatusBodyDto extends OmitType(ChatStatusDto, ['chatId'] as const) {}
export class EditMessageBodyDto extends OmitType(EditMessageDto, ['messageId'] as const) {}

/** Query strings arrive as text: numbers are converted here, and only here. */
export class PageQueryDto {
  @ApiPropertyOptional({ default: DEFAULT_PAGE, minimum: 1, maximum: MAX_PAGE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
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
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ description: 'Messages with seq above this (exclusive)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;
}
