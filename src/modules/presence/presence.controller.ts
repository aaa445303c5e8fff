import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator.js';
import { EmptyPayload } from '../../common/validation/empty-payload.pipe.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { CurrentUser } from '../../common/http/current-user.decorator.js';
import { UserIdParam } from '../../common/http/user-id-param.js';
import { UuidParam } from '../../common/http/uuid-param.js';
import { TypingDto } from '../chat/dto/message-ref.dto.js';
import { PresenceResponse } from './dto/presence.dto.js';
import { PresenceQueries } from './presence.queries.js';
import { PresenceService } from './presence.service.js';
import type { PresenceView } from './presence.types.js';

@ApiTags('presence')
@ApiBearerAuth()
@ApiErrors()
@Controller('presence')
export class PresenceController {
  constructor(
    private readonly presence: PresenceService,
    private readonly queries: PresenceQueries,
  ) {}

  @Post('heartbeat')
  @HttpCode(200)
  @ApiOkResponse({
    type: PresenceResponse,
    description: 'Online for PRESENCE_TTL_MS more, without a socket',
  })
  heartbeat(
    @CurrentUser() user: AuthUser,
    @Body(EmptyPayload) _body: object,
  ): Promise<PresenceView> {
    return this.presence.heartbeat(user.id);
  }

  @Get('me')
  @ApiOkResponse({ type: PresenceResponse })
  me(@CurrentUser() user: AuthUser): Promise<PresenceView> {
    return this.queries.one(user.id);
  }

  @Post('typing')
  @HttpCode(200)
  @ApiOkResponse({
    description: '{}',
    schema: { type: 'object', properties: {}, additionalProperties: false },
  })
  typing(@CurrentUser() user: AuthUser, @Body() dto: TypingDto): Promise<object> {
    return this.queries.typing(user, dto.chatId, dto.isTyping);
  }

  @Get('typing/:chatId')
  @ApiOkResponse({ type: [String], description: 'The ids of the users typing in the chat' })
  typists(
    @CurrentUser() user: AuthUser,
    @Param('chatId', UuidParam) chatId: string,
  ): Promise<string[]> {
    return this.queries.typingIn(user, chatId);
  }

  @Get(':userId')
  @ApiOkResponse({ type: PresenceResponse })
  user(@Param('userId', UserIdParam) userId: string): Promise<PresenceView> {
    return this.queries.one(userId);
  }
}
