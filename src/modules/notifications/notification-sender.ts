import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import type { CreateNotificationDto } from './dto/notification.dto.js';
import { NotificationKind } from './entities/notification.entity.js';
import type { NotificationView } from './notification.types.js';
import { NotificationsService } from './notifications.service.js';

/** POST /notifications: another service notifies a known user. */
@Injectable()
export class NotificationSender {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly notifications: NotificationsService,
  ) {}

  async send(dto: CreateNotificationDto): Promise<NotificationView> {
    const [user] = await this.db.query<{ id: string }[]>(`SELECT id FROM users WHERE id = $1`, [
      dto.userId,
    ]);
    if (!user) throw new DomainException(ErrorCode.NotFound, 'unknown user');
    const [notification] = await this.notifications.notify([dto.userId], {
      type: dto.type,
      kind: dto.kind ?? NotificationKind.Custom,
      subject: dto.subject,
      message: dto.message,
      actionUrl: dto.actionUrl,
      data: dto.data,
    });
    return notification;
  }
}
