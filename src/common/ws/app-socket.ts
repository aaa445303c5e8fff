import type { LimitFunction } from 'p-limit';
import type { DefaultEventsMap, Socket } from 'socket.io';
import type { AuthUser } from '../auth/auth-user.js';

/** A chat a socket joined: `active` once the join succeeded (and counts in getActiveUsers). */
export interface JoinedChat {
  /** What the chat belongs to, as this namespace's events name it (orderId, disputeId). */
  link: { orderId?: string; disputeId?: string };
  active: boolean;
  /** joinChat calls for it still running: the last one to fail, with none succeeded, undoes it. */
  joining: number;
}

export interface SocketData {
  /** Set by the handshake middleware; every connected socket has one. */
  user?: AuthUser;
  /** Chats the socket sent typing to. */
  typedIn?: Set<string>;
  /** The chats the socket joined or is joining. */
  joined?: Map<string, JoinedChat>;
  /** Its joinChat calls that run at once (the others wait for them). */
  joins?: LimitFunction;
}

export type AppSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;
