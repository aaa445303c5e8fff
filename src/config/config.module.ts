import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppConfig, ENV_KEY } from './app-config.js';
import { validateEnv } from './env.schema.js';

@Global()
@Module({})
export class AppConfigModule {
  /** `overrides` win over the environment: tests boot several apps in one process with them. */
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [
        ConfigModule.forRoot({
          validate: (raw) => ({ [ENV_KEY]: validateEnv({ ...raw, ...overrides }) }),
        }),
      ],
      providers: [AppConfig],
      exports: [AppConfig],
    };
  }
}
