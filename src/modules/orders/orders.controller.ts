import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
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
import { OrderChats } from './order-chats.js';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { OrderStatusDto, OrdersQueryDto } from './dto/order-status.dto.js';
import { OrderMessageResponse, OrderPageResponse, OrderResponse } from './dto/order.response.js';
import type { OrderView } from './order.types.js';
import { OrdersService } from './orders.service.js';

@ApiTags('orders')
@ApiErrors(ErrorCode.Conflict, ErrorCode.NotFound)
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly chat: OrderChats,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: OrderResponse, description: 'A CLIENT orders from a SPECIALIST' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrderDto): Promise<OrderView> {
    return this.orders.create(user, dto);
  }

  @Get()
  @ApiOkResponse({ type: OrderPageResponse, description: 'Own orders, newest first; ADMIN: all' })
  list(@CurrentUser() user: AuthUser, @Query() query: OrdersQueryDto): Promise<Page<OrderView>> {
    return this.orders.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderResponse })
  one(@CurrentUser() user: AuthUser, @Param('id', UuidParam) id: string): Promise<OrderView> {
    return this.orders.get(user, id);
  }

  @Patch(':id/status')
  @ApiOkResponse({ type: OrderResponse })
  status(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: OrderStatusDto,
  ): Promise<OrderView> {
    return this.orders.setStatus(user, id, dto.status);
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
  @ApiCreatedResponse({ type: OrderMessageResponse })
  send(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body() dto: SendMessageBodyDto,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<MessageView & { orderId: string }> {
    return this.chat.send(user, id, withIdempotencyKey(dto, idempotencyKey));
  }
}
