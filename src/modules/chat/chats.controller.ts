import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import { ChatService } from './chat.service.js';
import { IDEMPOTENCY_KEY_HEADER, IdempotencyKey, withIdempotencyKey } from './idempotency-key.js';
import type { ChatView, MessagePage, MessageView, Page } from './chat.types.js';
import { CreateChatDto } from './dto/create-chat.dto.js';
import {
  ChatIdResponse,
  ChatPageResponse,
  ChatResponse,
  MessagePageResponse,
  MessageResponse,
  ReadResponse,
} from './dto/responses.dto.js';
import {
  ChatsQueryDto,
  ChatStatusBodyDto,
  MessagesQueryDto,
  ReadMessagesBodyDto,
  SendMessageBodyDto,
} from './dto/rest.dto.js';
import { MessageService, type ReadResult } from './message.service.js';

/** REST for chats: the same services, payloads and answers as the /chat socket handlers. */
@ApiTags('chats')
@ApiErrors(ErrorCode.Conflict, ErrorCode.PayloadTooLarge, ErrorCode.NotFound)
@ApiBearerAuth()
@Controller('chats')
export class ChatsController {
  constructor(
    private readonly chats: ChatService,
    private readonly messages: MessageService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ChatResponse })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateChatDto): Promise<ChatView> {
    return this.chats.create(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: ChatPageResponse })
  mine(@CurrentUser() user: AuthUser, @Query() query: ChatsQueryDto): Promise<Page<ChatView>> {
    return this.chats.mine(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ChatResponse })
  one(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<ChatView> {
    return this.chats.visible(user, id);
  }

  @Patch(':id/status')
  @ApiOkResponse({ type: ChatResponse })
  status(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ChatStatusBodyDto,
  ): Promise<ChatView> {
    return this.chats.setStatus(user, { chatId: id, status: dto.status });
  }

  @Delete(':id')
  @ApiOkResponse({ type: ChatIdResponse })
  remove(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
  ): Promise<{ chatId: string }> {
    return this.chats.remove(user, { chatId: id });
  }

  @Get(':id/messages')
  @ApiOkResponse({ type: MessagePageResponse })
  history(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Query() query: MessagesQueryDto,
  ): Promise<MessagePage> {
    return this.messages.history(user, { chatId: id, ...query });
  }

  /** `Idempotency-Key` plays the part of clientMessageId: a repeat returns the first message. */
  @Post(':id/messages')
  @LimitMessageRate()
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiCreatedResponse({ type: MessageResponse })
  send(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: SendMessageBodyDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<MessageView> {
    return this.messages.send(user, { ...withIdempotencyKey(dto, idempotencyKey), chatId: id });
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadResponse })
  read(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: ReadMessagesBodyDto,
  ): Promise<ReadResult> {
    return this.messages.read(user, { ...dto, chatId: id });
  }
}
