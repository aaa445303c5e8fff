/** Injection token of the shared ioredis client (null without REDIS_URL). */
export const REDIS = Symbol('REDIS');
