import { Trim } from '../../../common/validation/trim.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length, ValidateIf } from 'class-validator';
import { OnlyIf } from '../../../common/validation/only-if.decorator.js';
import { ChatType } from '../entities/chat.entity.js';

export const CREATABLE_CHAT_TYPES = [ChatType.Direct, ChatType.Group, ChatType.Support] as const;
export const MAX_GROUP_MEMBERS = 500;

const isDirect = (dto: CreateChatDto): boolean => dto.type === ChatType.Direct;

/**
 * `{ type: 'DIRECT', userId }` or `{ type: 'GROUP' | 'SUPPORT', title, memberIds }`. A GROUP or
 * SUPPORT chat given userId is refused, not made without them; a DIRECT chat given memberIds
 * beyond its two members is refused by the service (which knows the creator); a DIRECT chat's
 * title is ignored (it has none).
 */
export class CreateChatDto {
  @ApiProperty({ enum: CREATABLE_CHAT_TYPES })
  @IsIn(CREATABLE_CHAT_TYPES)
  type!: (typeof CREATABLE_CHAT_TYPES)[number];

  @ApiPropertyOptional({ description: 'DIRECT only: the other user' })
  @ValidateIf((dto: CreateChatDto) => dto.type === ChatType.Direct || dto.userId !== undefined)
  @OnlyIf(isDirect, 'userId is for DIRECT chats; GROUP and SUPPORT take memberIds')
  @IsString()
  @Length(1, 128)
  userId?: string;

  @ApiPropertyOptional({ description: 'GROUP and SUPPORT only' })
  @ValidateIf((dto: CreateChatDto) => dto.type !== ChatType.Direct || dto.title !== undefined)
  @Trim()
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'GROUP and SUPPORT only; the creator is added, and a repeated id counts once',
  })
  @ValidateIf((dto: CreateChatDto) => dto.type !== ChatType.Direct || dto.memberIds !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_GROUP_MEMBERS)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  memberIds?: string[];
}
