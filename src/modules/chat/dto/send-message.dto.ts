import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { Trim } from '../../../common/validation/trim.decorator.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsOptional,
  IsString,
  IsInt,
  Length,
  Max,
  Matches,
  Min,
  ValidateIf,
} from 'class-validator';
import { ChatIdDto, FromDigits, MAX_SEQ } from './chat-ref.dto.js';

/** MESSAGE_MAX_LENGTH of the contract. */
export const MESSAGE_MAX_LENGTH = 4000;
export const MAX_ATTACHMENTS = 10;

export class SendMessageDto extends ChatIdDto {
  @ApiPropertyOptional({
    maxLength: MESSAGE_MAX_LENGTH,
    description: 'Trimmed; may be empty (or left out) when there are attachments',
  })
  @IsOptional()
  // Text or attachments: with attachments, an empty (or blank) text is no text.
  @ValidateIf((dto: SendMessageDto) => dto.text !== '' || !dto.attachmentIds?.length)
  @Trim()
  @IsString()
  @Length(1, MESSAGE_MAX_LENGTH)
  text?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ArrayUnique()
  @IsUuid({ each: true })
  attachmentIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsUuid()
  replyToId?: string;

  @ApiPropertyOptional({
    description:
      'Idempotency key chosen by the client, 1–100 characters, not blank: the same key, the same message',
    minLength: 1,
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'clientMessageId must not be blank' })
  clientMessageId?: string;
}

export class ReadMessagesDto extends ChatIdDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsUuid({ each: true })
  messageIds?: string[];

  @ApiPropertyOptional()
  @FromDigits()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  upToSeq?: number;
}
