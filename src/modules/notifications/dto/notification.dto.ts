import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  IsNotIn,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { Trim } from '../../../common/validation/trim.decorator.js';
import { ChatsQueryDto } from '../../chat/dto/rest.dto.js';
import { MyChatsDto } from '../../chat/dto/chat-ref.dto.js';
import { NotificationKind, NotificationType } from '../entities/notification.entity.js';

/** The kinds the app makes from its own events; `POST /api/notifications` may not use them. */
const OWN_KINDS = Object.values(NotificationKind).filter(
  (kind) => kind !== NotificationKind.Custom,
);

/** `list` over the socket: `{ limit?, cursor?, unreadOnly? }`. */
export class ListNotificationsDto extends MyChatsDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  unreadOnly: boolean = false;
}

/** GET /notifications: the same, from a query string. */
export class NotificationsQueryDto extends ChatsQueryDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unreadOnly: boolean = false;
}

export class NotificationIdDto {
  @ApiProperty()
  @IsUuid()
  notificationId!: string;
}

/** POST /notifications: another service (as ADMIN) notifies a user. */
export class CreateNotificationDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  userId!: string;

  @ApiProperty({ enum: NotificationType })
  @IsIn(Object.values(NotificationType))
  type!: NotificationType;

  @ApiProperty({ maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  subject!: string;

  @ApiProperty({ maxLength: 4000 })
  @Trim()
  @IsString()
  @Length(1, 4000)
  message!: string;

  @ApiPropertyOptional({
    maxLength: 2000,
    description: 'An http(s) URL, or a path with one leading slash (`//host/x` is another site)',
    pattern: '^(https?://|/(?![/\\\\]))\\S*$',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  // A path is one slash: `//host/x` (and `/\host/x`, which browsers read alike) is another site.
  @Matches(/^(https?:\/\/|\/(?![/\\]))\S*$/, {
    message: 'actionUrl must be an http(s) URL or a path',
  })
  actionUrl?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    default: 'custom',
    description: `What caused it, e.g. billing.invoice; not one of the kinds the app makes itself (${OWN_KINDS.join(', ')})`,
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_.-]{0,63}$/)
  // The app's own kinds mean what the app says of them (a message.new quotes its message).
  @IsNotIn(OWN_KINDS, { message: 'kind must not be one of the kinds the app makes itself' })
  kind?: string;
}

export class NotificationResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: NotificationType }) type!: NotificationType;
  @ApiProperty() kind!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({
    description:
      'message.new and message.reply quote their message as it is now: edited, or "Message deleted"',
  })
  message!: string;
  @ApiProperty({ type: String, nullable: true }) actionUrl!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  data!: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class NotificationPageResponse {
  @ApiProperty({ type: [NotificationResponse] }) items!: NotificationResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class UnreadCountResponse {
  @ApiProperty() count!: number;
}

export class MarkReadResponse {
  @ApiProperty() notificationId!: string;
  @ApiProperty({ format: 'date-time' }) readAt!: string;
  @ApiProperty() unreadCount!: number;
}

export class MarkAllReadResponse {
  @ApiProperty() userId!: string;
  @ApiProperty() updated!: number;
  @ApiProperty() unreadCount!: number;
}
