import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { ApiErrors } from '../../common/http/api-errors.decorator.js';
import { CurrentUser } from '../../common/http/current-user.decorator.js';
import { UuidParam } from '../../common/http/uuid-param.js';
import { LimitMessageRate } from '../../common/limits/message-rate.guard.js';
import type { MessagePage, MessageView, Page } from '../chat/chat.types.js';
import { MessagePageResponse } from '../chat/dto/responses.dto.js';
import { MessagesQueryDto, SendMessageBodyDto } from '../chat/dto/rest.dto.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  withIdempotencyKey,
} from '../chat/idempotency-key.js';
import { DisputeChats } from './dispute-chats.js';
import type { DisputeView } from './dispute.types.js';
import { DisputesService } from './disputes.service.js';
import {
  AssignDisputeDto,
  DisputesQueryDto,
  DisputeStatusDto,
  OpenDisputeDto,
} from './dto/dispute.dto.js';
import {
  DisputeMessageResponse,
  DisputePageResponse,
  DisputeResponse,
} from './dto/dispute.response.js';

@ApiTags('disputes')
@ApiErrors(ErrorCode.Conflict, ErrorCode.NotFound)
@ApiBearerAuth()
@Controller('disputes')
export class DisputesController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly chat: DisputeChats,
  ) {}

  @Post()
  @ApiCreatedResponse({
    type: DisputeResponse,
    description: "The order's client or performer opens a dispute; the order becomes DISPUTED",
  })
  open(@CurrentUser() user: AuthUser, @Body() dto: OpenDisputeDto): Promise<DisputeView> {
    return this.disputes.open(user, dto);
  }

  @Get()
  @ApiOkResponse({
    type: DisputePageResponse,
    description: 'Disputes of own orders; MODERATOR: OPEN ones and own; ADMIN: all',
  })
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: DisputesQueryDto,
  ): Promise<Page<DisputeView>> {
    return this.disputes.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: DisputeResponse })
  one(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<DisputeView> {
    return this.disputes.get(user, id);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @ApiOkResponse({ type: DisputeResponse, description: 'A MODERATOR takes the dispute' })
  assign(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: AssignDisputeDto,
  ): Promise<DisputeView> {
    return this.disputes.assign(user, id, dto);
  }

  @Patch(':id/status')
  @ApiOkResponse({ type: DisputeResponse })
  status(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: DisputeStatusDto,
  ): Promise<DisputeView> {
    return this.disputes.setStatus(user, id, dto);
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: MessagePageResponse })
  history(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Query() query: MessagesQueryDto,
  ): Promise<MessagePage> {
    return this.chat.history(user, id, query);
  }

  @Post(':id/messages')
  @LimitMessageRate()
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({ type: DisputeMessageResponse })
  send(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: SendMessageBodyDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<MessageView & { disputeId: string }> {
    return this.chat.send(user, id, withIdempotencyKey(dto, idempotencyKey));
  }
}
