import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { invalidField } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { LimitMessageRate } from '../../common/limits/message-rate.guard.js';
import { ApiErrors } from '../../common/http/api-errors.decorator.js';
import { CurrentUser } from '../../common/http/current-user.decorator.js';
import { UuidParam } from '../../common/http/uuid-param.js';
import { isEmojiGrapheme } from '../../common/validation/is-single-emoji.validator.js';
import type { MessageView } from './chat.types.js';
import { MessageResponse } from './dto/responses.dto.js';
import { EditMessageBodyDto } from './dto/rest.dto.js';
import { ReactionBodyDto } from './dto/message-ref.dto.js';
import { MessageEditService } from './message-edit.service.js';

@ApiTags('messages')
@ApiErrors(ErrorCode.Conflict)
@ApiBearerAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly edits: MessageEditService) {}

  @Patch(':id')
  @LimitMessageRate()
  @ApiOkResponse({ type: MessageResponse })
  edit(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: EditMessageBodyDto,
  ): Promise<MessageView> {
    return this.edits.edit(user, { messageId: id, text: dto.text });
  }

  @Delete(':id')
  @LimitMessageRate()
  @ApiOkResponse({ type: MessageResponse })
  remove(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<MessageView> {
    return this.edits.remove(user, { messageId: id });
  }

  @Post(':id/reactions')
  @LimitMessageRate()
  @HttpCode(200)
  @ApiOkResponse({ type: MessageResponse })
  react(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReactionBodyDto,
  ): Promise<MessageView> {
    return this.edits.addReaction(user, { messageId: id, emoji: dto.emoji });
  }

  @Delete(':id/reactions/:emoji')
  @LimitMessageRate()
  @ApiOkResponse({ type: MessageResponse })
  unreact(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Param('emoji') emoji: string,
  ): Promise<MessageView> {
    if (!isEmojiGrapheme(emoji)) {
      throw invalidField('emoji', 'isSingleEmoji', 'emoji must be exactly one emoji');
    }
    return this.edits.removeReaction(user, { messageId: id, emoji });
  }
}
