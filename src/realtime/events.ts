/** Socket.IO namespaces, one per module (PROTOCOL.md). */
export const Namespace = {
  Chat: '/chat',
  Orders: '/orders',
  Disputes: '/disputes',
  Notifications: '/notifications',
  Presence: '/presence',
} as const;

/** Events the server emits that are not tied to one module. */
export const ServerEvent = {
  Error: 'error',
} as const;

/** Client → server events, declared once and used by gateways and tests alike. */
export const ClientEvent = {
  WhoAmI: 'whoami',
} as const;

/** What `connect_error` carries when the handshake is refused. */
export interface ConnectErrorData {
  code: string;
}
