/** Injection token of the shared ioredis client (null without REDIS_URL). */
export const REDIS = Symbol('REDIS');

/** Injection token of the Socket.IO Redis adapter's link (null without REDIS_URL). */
export const REDIS_CLUSTER = Symbol('REDIS_CLUSTER');
