import { Trim } from '../../../common/validation/trim.decorator.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length, ValidateIf } from 'class-validator';
import { ChatType } from '../entities/chat.entity.js';

export const CREATABLE_CHAT_TYPES = [ChatType.Direct, ChatType.Group, ChatType.Support] as const;
export const MAX_GROUP_MEMBERS = 500;

/** `{ type: 'DIRECT', userId }` or `{ type: 'GROUP' | 'SUPPORT', title, memberIds }`. */
export class CreateChatDto {
  @ApiProperty({ enum: CREATABLE_CHAT_TYPES })
  @IsIn(CREATABLE_CHAT_TYPES)
  type!: (typeof CREATABLE_CHAT_TYPES)[number];

  @ApiPropertyOptional({ description: 'DIRECT only: the other user' })
  @ValidateIf((dto: CreateChatDto) => dto.type === ChatType.Direct || dto.userId !== undefined)
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
