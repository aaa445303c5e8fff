import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

export const DEFAULT_FILE_TYPES = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'audio/mpeg',
  'audio/ogg',
  'video/mp4',
].join(',');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
/** `true`/`false` (and their spellings) as 1/0, for settings that were booleans before. */
const toHopCount = ({ value }: { value: unknown }): unknown => {
  const flag = toBoolean({ value });
  if (typeof flag === 'boolean') return flag ? 1 : 0;
  return toInt({ value });
};
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Every environment variable the server reads, validated once at boot. */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /**
   * Connections the kernel may hold for us before we accept them (capped by
   * net.core.somaxconn). Node's 511 overflows when thousands of clients reconnect at once, and
   * each dropped connection attempt waits 1, 2, 4... seconds to try again.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  LISTEN_BACKLOG = 4096;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * How long a Redis command may go unanswered before it fails (UNAVAILABLE): a Redis that hangs,
   * or a network path that silently stopped, would otherwise leave acks waiting for minutes.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 2000;

  /** Every key and channel this deployment uses in Redis starts with it (several apps, one Redis). */
  @Matches(/^[\w.:-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 of [A-Za-z0-9_.:-]' })
  REDIS_KEY_PREFIX = 'msg:';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/-----BEGIN PUBLIC KEY-----/, { message: 'JWT_PUBLIC_KEY must be a PEM public key' })
  JWT_PUBLIC_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  @Transform(emptyToUndefined)
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  AUTH_DEV_TOKENS?: boolean;

  @IsString()
  CORS_ORIGINS = '*';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_CONNECT_TIMEOUT_MS = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_SIZE = 10;

  /**
   * Connections the pool keeps once it has opened them (at most DB_POOL_SIZE; it opens them on
   * demand): the first statement after a quiet spell does not wait for a new connection and for
   * its statements to be prepared again.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  DB_POOL_MIN = 2;

  /**
   * How long a connection above DB_POOL_MIN may sit unused before it is closed (at most a day).
   * Minutes, not pg-pool's 10 s: a new PostgreSQL connection costs a backend's start, the
   * preparation of every hot statement again and the mapping of the server's shared buffers, so
   * a pool that empties between bursts pays all of that at the start of each.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  DB_POOL_IDLE_MS = 600_000;

  /**
   * Hot statements as named prepared statements, planned once per connection. Off for a pooler
   * that does not keep them (PgBouncer in transaction mode before 1.21).
   */
  @Transform(toBoolean)
  @IsBoolean()
  DB_PREPARED_STATEMENTS = true;

  /** SIGTERM/SIGINT: how long connections, work in flight and clean-up may take before exit 1. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  SHUTDOWN_GRACE_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  TYPING_TTL_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(50)
  PRESENCE_TTL_MS = 300000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  PRESENCE_GRACE_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  PRESENCE_NODE_TTL_MS = 30000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'Messaging <no-reply@localhost>';

  @Transform(toInt)
  @IsInt()
  @Min(50)
  MAIL_RETRY_MS = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024 * 1024 * 1024)
  FILE_MAX_BYTES = 10 * 1024 * 1024;

  @IsString()
  FILE_ALLOWED_TYPES = DEFAULT_FILE_TYPES;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  FILE_URL_TTL_SECONDS = 3600;

  /** An upload no message has taken within this is deleted, bytes and all (`0`: never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  FILE_UNSENT_TTL_SECONDS = 24 * 3600;

  /** Uploads a user may hold that no message has taken yet (`0`: no cap). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  FILE_UNSENT_PER_USER = 100;

  /** How often each node sweeps expired uploads and the bytes of deleted files (`0`: never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  FILE_SWEEP_INTERVAL_MS = 60_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'FILE_URL_SECRET must be at least 32 characters' })
  FILE_URL_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Proxies in front that append to X-Forwarded-For: limits count the address that many entries
   * from the right. `false`/0: none (the peer counts); `true`: 1.
   */
  @Transform(toHopCount)
  @IsInt()
  @Min(0)
  @Max(16)
  TRUST_PROXY = 0;

  /** Largest Socket.IO frame; a larger one disconnects its client. */
  @Transform(toInt)
  @IsInt()
  @Min(65_536)
  SOCKET_MAX_BUFFER_BYTES = 1_000_000;

  // Limits (per node): 0 turns one off. Rates may be fractions (0.5: one every 2 s).
  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  LIMIT_MESSAGES_PER_SECOND = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LIMIT_MESSAGES_BURST = 300;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_CHATS_PER_MINUTE = 30;

  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  LIMIT_SOCKET_EVENTS_PER_SECOND = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LIMIT_SOCKET_EVENTS_BURST = 500;

  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  LIMIT_USER_EVENTS_PER_SECOND = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LIMIT_USER_EVENTS_BURST = 1500;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_CONNECTIONS_PER_IP_PER_MINUTE = 600;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_SOCKETS_PER_USER = 50;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_ROOMS_PER_SOCKET = 200;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_SOCKET_BUFFERED_PACKETS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_SOCKET_BUFFERED_BYTES = 8 * 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  LIMIT_REST_PER_MINUTE = 600;
}

/** Validates `process.env`-shaped input; throws one readable error listing every bad variable. */
export function validateEnv(raw: Record<string, unknown>): EnvSchema {
  const env = plainToInstance(EnvSchema, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((e) =>
      Object.values(e.constraints ?? {}).map((m) => `  - ${e.property}: ${m}`),
    );
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (env.NODE_ENV === 'production' && env.AUTH_DEV_TOKENS === true) {
    throw new Error(
      'Invalid configuration:\n  - AUTH_DEV_TOKENS cannot be true when NODE_ENV=production',
    );
  }
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET && !env.JWT_PUBLIC_KEY) {
    throw new Error(
      'Invalid configuration:\n  - JWT_SECRET or JWT_PUBLIC_KEY is required when NODE_ENV=production',
    );
  }
  return env;
}
