import { existsSync } from 'node:fs';

/**
 * Loads ./.env into process.env (without overriding what is set) for entry points that do not
 * go through @nestjs/config: the TypeORM CLI and `npm run token` must see what the server sees.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
