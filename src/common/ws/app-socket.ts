import type { DefaultEventsMap, Socket } from 'socket.io';
import type { AuthUser } from '../auth/auth-user.js';

export interface SocketData {
  /** Set by the handshake middleware; every connected socket has one. */
  user?: AuthUser;
  /** /chat: chats the socket sent typing to. */
  typedIn?: Set<string>;
}

export type AppSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
