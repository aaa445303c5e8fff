import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ChatModule } from '../chat/chat.module.js';
import { MailOutboxService } from './mail/mail-outbox.service.js';
import { MailTransport, SmtpMailTransport } from './mail/mail-transport.js';
import { NotificationProducers } from './notification-producers.js';
import { NotificationSender } from './notification-sender.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsGateway } from './notifications.gateway.js';
import { NotificationsRealtime } from './notifications.realtime.js';
import { NotificationsService } from './notifications.service.js';

@Module({
  imports: [ChatModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsGateway,
    NotificationsRealtime,
    NotificationsService,
    NotificationProducers,
    NotificationSender,
    MailOutboxService,
    {
      provide: MailTransport,
      inject: [AppConfig],
      useFactory: (config: AppConfig): MailTransport | null =>
        config.mail.smtpUrl ? new SmtpMailTransport(config.mail.smtpUrl, config.mail.from) : null,
    },
  ],
})
export class NotificationsModule {}
