/**
 * The environment that turns every per-node abuse limit off (0 = off): for the benchmarks and the
 * fuzzer, which measure or exercise the server, not its limiter. (The slow-consumer caps stay:
 * they protect the process.) Plain values with no imports, so bench/ can load the built file.
 */
export const LIMITS_OFF: Readonly<Record<string, string>> = {
  LIMIT_MESSAGES_PER_SECOND: '0',
  LIMIT_CHATS_PER_MINUTE: '0',
  LIMIT_SOCKET_EVENTS_PER_SECOND: '0',
  LIMIT_USER_EVENTS_PER_SECOND: '0',
  LIMIT_CONNECTIONS_PER_IP_PER_MINUTE: '0',
  LIMIT_SOCKETS_PER_USER: '0',
  LIMIT_ROOMS_PER_SOCKET: '0',
  LIMIT_REST_PER_MINUTE: '0',
};
