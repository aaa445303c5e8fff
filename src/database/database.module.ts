import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DatabaseAdmission } from './database-admission.js';
import { dataSourceOptions } from './data-source.options.js';
import { migrate } from './migrate.js';

@Global()
@Module({
  providers: [DatabaseAdmission],
  exports: [DatabaseAdmission],
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        // Fail fast at boot: the app must not start half-connected.
        retryAttempts: 0,
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await migrate(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
