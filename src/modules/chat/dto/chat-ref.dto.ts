import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { AcceptsBareValue } from '../../../common/validation/bare-value.decorator.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 100;
/** Largest seq: seq columns are PostgreSQL integers, and a bigger number fails in the query. */
export const MAX_SEQ = 2_147_483_647;

/**
 * A whole number given as digits read as the number: every field that takes one (seqs and page
 * sizes, in socket payloads, REST bodies and query strings) takes either form.
 */
export function FromDigits(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
  );
}

/** A seq cursor: a number (as a page's nextCursor is), or the same in digits. */
export function SeqCursor(min: number): PropertyDecorator {
  return applyDecorators(FromDigits(), IsOptional(), IsInt(), Min(min), Max(MAX_SEQ));
}

/** `limit` of a page: 1 to MAX_PAGE (or the same in digits), DEFAULT_PAGE when absent. */
export function PageLimit(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ default: DEFAULT_PAGE, minimum: 1, maximum: MAX_PAGE }),
    FromDigits(),
    IsOptional(),
    IsInt(),
    Min(1),
    Max(MAX_PAGE),
  );
}

export class ChatIdDto {
  @ApiProperty()
  @IsUuid()
  chatId!: string;
}

/** `{ chatId, sinceSeq?, limit? }`, or the bare chatId string. */
@AcceptsBareValue('chatId')
export class JoinChatDto extends ChatIdDto {
  @ApiPropertyOptional({ description: 'Return the messages after this seq (recovery)' })
  @SeqCursor(0)
  sinceSeq?: number;

  @PageLimit()
  limit: number = DEFAULT_PAGE;
}

export class GetMessagesDto extends ChatIdDto {
  @ApiPropertyOptional({ description: 'Messages with seq below this (exclusive); a nextCursor' })
  @SeqCursor(1)
  before?: number;

  @ApiPropertyOptional({ description: 'Messages with seq above this (exclusive); a nextCursor' })
  @SeqCursor(0)
  after?: number;

  @PageLimit()
  limit: number = DEFAULT_PAGE;
}

export class MyChatsDto {
  @PageLimit()
  limit: number = DEFAULT_PAGE;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
