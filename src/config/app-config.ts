import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { RateLimit } from '../common/limits/token-bucket.js';
import { EnvSchema, LogLevel } from './env.schema.js';
import { resolveJwtKeys, JwtKeys } from './jwt-keys.js';

/** Typed, validated configuration. The only place that knows environment variable names. */
@Injectable()
export class AppConfig {
  private readonly env: EnvSchema;
  readonly jwt: JwtKeys;
  private readonly processSecret = randomBytes(32).toString('base64url');

  constructor(config: ConfigService) {
    this.env = config.get<EnvSchema>(ENV_KEY) as EnvSchema;
    this.jwt = resolveJwtKeys(this.env);
  }

  static fromEnv(env: EnvSchema): AppConfig {
    return new AppConfig({ get: () => env } as unknown as ConfigService);
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
  get port(): number {
    return this.env.PORT;
  }
  get host(): string {
    return this.env.HOST;
  }
  get listenBacklog(): number {
    return this.env.LISTEN_BACKLOG;
  }
  get databaseUrl(): string | undefined {
    return this.env.DATABASE_URL;
  }
  get dataDir(): string {
    return resolve(this.env.DATA_DIR);
  }
  get redisUrl(): string | undefined {
    return this.env.REDIS_URL;
  }
  get redisCommandTimeoutMs(): number {
    return this.env.REDIS_COMMAND_TIMEOUT_MS;
  }
  get redisKeyPrefix(): string {
    return this.env.REDIS_KEY_PREFIX;
  }
  /**
   * Dev tokens let anyone mint any token: only with AUTH_DEV_TOKENS=true, as the contract says,
   * and never in production (where `true` is refused at boot). In development without it,
   * `npm run token` signs tokens with the same secret.
   */
  get devTokensEnabled(): boolean {
    return !this.isProduction && this.env.AUTH_DEV_TOKENS === true;
  }
  /** `true` allows every origin; otherwise the exact origins allowed. */
  get corsOrigins(): true | string[] {
    const list = this.env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
    return list.length === 0 || list.includes('*') ? true : list;
  }
  get logLevel(): LogLevel {
    return this.env.LOG_LEVEL;
  }
  get fileMaxBytes(): number {
    return this.env.FILE_MAX_BYTES;
  }
  get fileAllowedTypes(): string[] {
    return this.env.FILE_ALLOWED_TYPES.split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
  }
  get fileUrlTtlSeconds(): number {
    return this.env.FILE_URL_TTL_SECONDS;
  }
  /** Uploads no message has taken: how long they are kept, and how many a user may hold. */
  get unsentFiles(): { ttlSeconds: number; perUser: number } {
    return { ttlSeconds: this.env.FILE_UNSENT_TTL_SECONDS, perUser: this.env.FILE_UNSENT_PER_USER };
  }
  get fileSweepIntervalMs(): number {
    return this.env.FILE_SWEEP_INTERVAL_MS;
  }
  /** Signs attachment links; set FILE_URL_SECRET so every node signs alike. */
  get fileUrlSecret(): string {
    return this.env.FILE_URL_SECRET ?? this.jwt.signKey ?? this.processSecret;
  }
  /** True when links are signed with a key that dies with this process. */
  get fileUrlSecretIsEphemeral(): boolean {
    return !this.env.FILE_URL_SECRET && !this.jwt.signKey;
  }
  /** Base of absolute links (attachment URLs); empty: links are relative to this server. */
  get publicUrl(): string {
    return (this.env.PUBLIC_URL ?? '').replace(/\/+$/, '');
  }

  /** Bearer token GET /metrics requires; undefined: /metrics is open (like /health). */
  get metricsToken(): string | undefined {
    return this.env.METRICS_TOKEN;
  }

  /** Typing stops by itself when not renewed within this time. */
  get typingTtlMs(): number {
    return this.env.TYPING_TTL_MS;
  }
  get presence(): { ttlMs: number; graceMs: number; nodeTtlMs: number } {
    return {
      ttlMs: this.env.PRESENCE_TTL_MS,
      graceMs: this.env.PRESENCE_GRACE_MS,
      nodeTtlMs: this.env.PRESENCE_NODE_TTL_MS,
    };
  }
  get mail(): { smtpUrl: string | undefined; from: string; retryMs: number } {
    return {
      smtpUrl: this.env.SMTP_URL,
      from: this.env.MAIL_FROM,
      retryMs: this.env.MAIL_RETRY_MS,
    };
  }
  /** Limits against abuse; `null` or 0: off. All of them are counted on each node separately. */
  get limits(): Limits {
    const e = this.env;
    const rate = (perSecond: number, burst: number): RateLimit | null =>
      perSecond > 0 ? { perSecond, burst } : null;
    const perMinute = e.LIMIT_CONNECTIONS_PER_IP_PER_MINUTE;
    return {
      messages: rate(e.LIMIT_MESSAGES_PER_SECOND, e.LIMIT_MESSAGES_BURST),
      chats: rate(e.LIMIT_CHATS_PER_MINUTE / 60, e.LIMIT_CHATS_PER_MINUTE),
      socketEvents: rate(e.LIMIT_SOCKET_EVENTS_PER_SECOND, e.LIMIT_SOCKET_EVENTS_BURST),
      userEvents: rate(e.LIMIT_USER_EVENTS_PER_SECOND, e.LIMIT_USER_EVENTS_BURST),
      connectionsPerIp: rate(perMinute / 60, perMinute),
      socketsPerUser: e.LIMIT_SOCKETS_PER_USER,
      roomsPerSocket: e.LIMIT_ROOMS_PER_SOCKET,
      socketBufferedPackets: e.LIMIT_SOCKET_BUFFERED_PACKETS,
      socketBufferedBytes: e.LIMIT_SOCKET_BUFFERED_BYTES,
      restPerMinute: e.LIMIT_REST_PER_MINUTE,
    };
  }
  get socketMaxBufferBytes(): number {
    return this.env.SOCKET_MAX_BUFFER_BYTES;
  }
  /** Trusted proxies in front (0: none): how far from the right of X-Forwarded-For to read. */
  get trustProxy(): number {
    return this.env.TRUST_PROXY;
  }
  /** How long a graceful shutdown may take before the process exits anyway (with 1). */
  get shutdownGraceMs(): number {
    return this.env.SHUTDOWN_GRACE_MS;
  }
  get db(): {
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    poolSize: number;
    poolMin: number;
    poolIdleMs: number;
    preparedStatements: boolean;
  } {
    return {
      connectTimeoutMs: this.env.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: this.env.DB_STATEMENT_TIMEOUT_MS,
      poolSize: this.env.DB_POOL_SIZE,
      poolMin: Math.min(this.env.DB_POOL_MIN, this.env.DB_POOL_SIZE),
      poolIdleMs: this.env.DB_POOL_IDLE_MS,
      preparedStatements: this.env.DB_PREPARED_STATEMENTS,
    };
  }
}

export interface Limits {
  /** Message sends per user, socket and REST alike. */
  messages: RateLimit | null;
  /** Chats a user creates (their own, an order's, a dispute's), per minute, as many at once. */
  chats: RateLimit | null;
  /** Client events per connection, all namespaces together. */
  socketEvents: RateLimit | null;
  /** Client events per user, all their connections on this node together. */
  userEvents: RateLimit | null;
  /** New Engine.IO connections per client address. */
  connectionsPerIp: RateLimit | null;
  /** Namespace sockets per user; 0: no cap. */
  socketsPerUser: number;
  /** Chats one socket may have joined; 0: no cap. */
  roomsPerSocket: number;
  /** Packets waiting in a connection's write buffer before it is dropped; 0: no cap. */
  socketBufferedPackets: number;
  /** Characters (bytes, for binary) waiting in a connection's write buffer before it is dropped; 0: no cap. */
  socketBufferedBytes: number;
  /** REST requests per user (or address, unauthenticated) per minute, as many at once; 0: off. */
  restPerMinute: number;
}

/** Key under which the validated EnvSchema is stored in ConfigService. */
export const ENV_KEY = 'env';
