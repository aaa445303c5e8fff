import { describe, expect, it } from '@jest/globals';
import { validateEnv } from './env.schema.js';

describe('validateEnv', () => {
  it('applies the documented defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      CORS_ORIGINS: '*',
      DB_POOL_SIZE: 10,
      DB_POOL_MIN: 2,
      DB_POOL_IDLE_MS: 600_000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('parses numbers and booleans from strings', () => {
    expect(validateEnv({ PORT: '8080', AUTH_DEV_TOKENS: 'false' })).toMatchObject({
      PORT: 8080,
      AUTH_DEV_TOKENS: false,
    });
  });

  it('reads limits, fractional rates included, and refuses a burst of 0', () => {
    expect(
      validateEnv({ LIMIT_MESSAGES_PER_SECOND: '0.5', LIMIT_SOCKETS_PER_USER: '0' }),
    ).toMatchObject({ LIMIT_MESSAGES_PER_SECOND: 0.5, LIMIT_SOCKETS_PER_USER: 0 });
    expect(() => validateEnv({ LIMIT_MESSAGES_BURST: '0' })).toThrow(/LIMIT_MESSAGES_BURST/);
    expect(() => validateEnv({ LIMIT_SOCKET_EVENTS_PER_SECOND: '-1' })).toThrow(
      /LIMIT_SOCKET_EVENTS_PER_SECOND/,
    );
  });

  it('reads TRUST_PROXY as a count of proxies, true and false as 1 and 0', () => {
    expect(validateEnv({}).TRUST_PROXY).toBe(0);
    expect(validateEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(validateEnv({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(0);
    expect(validateEnv({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(() => validateEnv({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
    expect(() => validateEnv({ TRUST_PROXY: '-1' })).toThrow(/TRUST_PROXY/);
  });

  it('treats empty values as unset', () => {
    expect(validateEnv({ DATABASE_URL: '', REDIS_URL: ' ' })).toMatchObject({
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
    });
  });

  it('fails fast naming every bad variable', () => {
    expect(() =>
      validateEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        JWT_SECRET: 'short',
      }),
    ).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*JWT_SECRET[\s\S]*LOG_LEVEL|PORT|DATABASE_URL/);
    try {
      validateEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        JWT_SECRET: 'short',
      });
    } catch (error) {
      const message = (error as Error).message;
      for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'JWT_SECRET'])
        expect(message).toContain(key);
    }
  });

  it('refuses a METRICS_TOKEN shorter than 16 characters and leaves an empty one unset', () => {
    expect(() => validateEnv({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(validateEnv({ METRICS_TOKEN: '' }).METRICS_TOKEN).toBeUndefined();
    expect(validateEnv({ METRICS_TOKEN: 't'.repeat(16) }).METRICS_TOKEN).toBe('t'.repeat(16));
  });

  it('requires a JWT secret or public key in production', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET or JWT_PUBLIC_KEY is required/,
    );
    expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32) }).NODE_ENV).toBe(
      'production',
    );
  });
});

describe('production safety', () => {
  it('refuses AUTH_DEV_TOKENS=true in production', () => {
    expect(() =>
      validateEnv({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), AUTH_DEV_TOKENS: 'true' }),
    ).toThrow(/AUTH_DEV_TOKENS/);
  });
});
