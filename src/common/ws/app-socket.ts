import type { DefaultEventsMap, Socket } from 'socket.io';
import type { AuthUser } from '../auth/auth-user.js';

export interface SocketData {
  /** Set by the handshake middleware; every connected socket has one. */
  user?: AuthUser;
  /** Chats the socket sent typing to. */
  typedIn?: Set<string>;
  /** The chats the socket joined, with the order or dispute each belongs to (/orders, /disputes). */
  joined?: Map<string, { orderId?: string; disputeId?: string }>;
}

export type AppSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
