import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AppConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LimitsModule } from './common/limits/limits.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ChatModule } from './modules/chat/chat.module.js';
import { FilesModule } from './modules/files/files.module.js';
import { DisputesModule } from './modules/disputes/disputes.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { OrdersModule } from './modules/orders/orders.module.js';
import { PresenceModule } from './modules/presence/presence.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { RedisModule } from './redis/redis.module.js';
import { StateModule } from './state/state.module.js';

@Module({})
export class AppModule {
  /** `env` overrides the process environment (tests boot several differently configured apps). */
  static forRoot(env: Record<string, string> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        LoggingModule,
        EventEmitterModule.forRoot(),
        DatabaseModule,
        RedisModule,
        StateModule,
        HealthModule,
        MetricsModule,
        LimitsModule,
        AuthModule,
        UsersModule,
        FilesModule,
        ChatModule,
        OrdersModule,
        DisputesModule,
        NotificationsModule,
        PresenceModule,
      ],
    };
  }
}
