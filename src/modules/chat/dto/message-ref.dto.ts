import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { Trim } from '../../../common/validation/trim.decorator.js';
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Length } from 'class-validator';
import { IsSingleEmoji } from '../../../common/validation/is-single-emoji.validator.js';
import { ChatStatus } from '../entities/chat.entity.js';
import { ChatIdDto } from './chat-ref.dto.js';
import { MESSAGE_MAX_LENGTH } from './send-message.dto.js';

export class MessageIdDto {
  @ApiProperty()
  @IsUuid()
  messageId!: string;
}

export class EditMessageDto extends MessageIdDto {
  @ApiProperty({ maxLength: MESSAGE_MAX_LENGTH })
  @Trim()
  @IsString()
  @Length(1, MESSAGE_MAX_LENGTH)
  text!: string;
}

export class ReactionBodyDto {
  @ApiProperty({ example: '👍', description: 'Exactly one emoji' })
  @IsString()
  @IsSingleEmoji()
  emoji!: string;
}

export class ReactionDto extends IntersectionType(MessageIdDto, ReactionBodyDto) {}

/** removeReaction: also an emoji a reaction could be stored with before the rule was tightened. */
export class RemoveReactionDto extends MessageIdDto {
  @ApiProperty({ example: '👍', description: 'The emoji of a reaction of yours' })
  @IsString()
  @IsSingleEmoji({ asStoredBefore: true })
  emoji!: string;
}

export class TypingDto extends ChatIdDto {
  @ApiProperty()
  @IsBoolean()
  isTyping!: boolean;
}

export class ChatStatusDto extends ChatIdDto {
  @ApiProperty({ enum: ChatStatus })
  @IsIn(Object.values(ChatStatus))
  status!: ChatStatus;
}
