import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/error-code.js';
import { ApiErrors } from '../../common/http/api-errors.decorator.js';
import { Role, type AuthUser } from '../../common/auth/auth-user.js';
import { CurrentUser } from '../../common/http/current-user.decorator.js';
import { Roles } from '../../common/http/roles.decorator.js';
import { UuidParam } from '../../common/http/uuid-param.js';
import { EmptyPayload } from '../../common/validation/empty-payload.pipe.js';
import type { Page } from '../chat/chat.types.js';
import {
  CreateNotificationDto,
  MarkAllReadResponse,
  MarkReadResponse,
  NotificationPageResponse,
  NotificationResponse,
  NotificationsQueryDto,
  UnreadCountResponse,
} from './dto/notification.dto.js';
import type { NotificationView } from './notification.types.js';
import { NotificationsService } from './notifications.service.js';
import { NotificationSender } from './notification-sender.js';

@ApiTags('notifications')
@ApiBearerAuth()
// NOT_FOUND: POST for a user the server has never seen.
@ApiErrors(ErrorCode.NotFound)
@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly sender: NotificationSender,
  ) {}

  @Get()
  @ApiOkResponse({ type: NotificationPageResponse })
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: NotificationsQueryDto,
  ): Promise<Page<NotificationView>> {
    return this.notifications.list(user.id, query);
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountResponse })
  unreadCount(@CurrentUser() user: AuthUser): Promise<{ count: number }> {
    return this.notifications.unreadCount(user.id);
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkAllReadResponse })
  // Takes no body: anything in it is refused, as markAllRead refuses fields.
  readAll(@CurrentUser() user: AuthUser, @Body(EmptyPayload) _body: object) {
    return this.notifications.markAllRead(user.id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: MarkReadResponse })
  read(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParam) id: string,
    @Body(EmptyPayload) _body: object,
  ) {
    return this.notifications.markRead(user.id, id);
  }

  /** For other services: notify a user (in the app, or by mail with type EMAIL). */
  @Post()
  @Roles(Role.Admin)
  @ApiCreatedResponse({ type: NotificationResponse })
  create(@Body() dto: CreateNotificationDto): Promise<NotificationView> {
    return this.sender.send(dto);
  }
}
