import 'reflect-metadata';
import { loadDotEnv } from './src/config/dot-env.js';
import { DataSource } from 'typeorm';
import { AppConfig } from './src/config/app-config.js';
import { validateEnv } from './src/config/env.schema.js';
import { dataSourceOptions } from './src/database/data-source.options.js';

loadDotEnv();

// The DataSource the TypeORM CLI uses (npm run migration:*), built from the same config and
// options as the application, so it targets the same database: DATABASE_URL or DATA_DIR's PGlite.
export default new DataSource({
  ...dataSourceOptions(AppConfig.fromEnv(validateEnv(process.env))),
  migrationsRun: false,
});
