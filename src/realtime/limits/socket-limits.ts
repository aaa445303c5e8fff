import type { Limits } from '../../config/app-config.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { ConnectionRate } from './connection-rate.js';
import { EventRate } from './event-flood.js';
import { dropSlowConsumers } from './slow-consumers.js';
import type { EngineSocket, Middleware, OnRefused } from './socket-types.js';
import { UserSockets } from './user-sockets.js';

/** The socket limits that are on, as hooks for AuthenticatedIoAdapter. All of them per node. */
export interface SocketLimitHooks {
  /** Namespace middlewares before authentication (cheap refusals first). */
  beforeAuth: Middleware[];
  /** Namespace middlewares that need the authenticated user. */
  afterAuth: Middleware[];
  onEngineConnection: ((conn: EngineSocket) => void)[];
  onConnection: ((socket: AppSocket) => void)[];
}

export function socketLimits(
  limits: Limits,
  trustProxy: number,
  onRefused: OnRefused = () => undefined,
): SocketLimitHooks {
  const hooks: SocketLimitHooks = {
    beforeAuth: [],
    afterAuth: [],
    onEngineConnection: [],
    onConnection: [],
  };
  if (limits.connectionsPerIp) {
    const rate = new ConnectionRate(limits.connectionsPerIp, trustProxy, onRefused);
    hooks.onEngineConnection.push(rate.onEngineConnection);
    hooks.beforeAuth.push(rate.middleware);
  }
  if (limits.socketBufferedPackets > 0 || limits.socketBufferedBytes > 0) {
    hooks.onEngineConnection.push(
      dropSlowConsumers(
        {
          packets: limits.socketBufferedPackets,
          bytes: limits.socketBufferedBytes,
        },
        onRefused,
      ),
    );
  }
  if (limits.socketsPerUser > 0)
    hooks.afterAuth.push(new UserSockets(limits.socketsPerUser, onRefused).middleware);
  if (limits.socketEvents || limits.userEvents) {
    const events = new EventRate(
      { connection: limits.socketEvents, user: limits.userEvents },
      onRefused,
    );
    if (limits.socketEvents) hooks.beforeAuth.push(events.middleware);
    hooks.onConnection.push(events.onConnection);
  }
  hooks.onEngineConnection.push(countOversizedFrames(onRefused));
  return hooks;
}

/**
 * A WebSocket frame over SOCKET_MAX_BUFFER_BYTES closes its connection with ws's "Max payload size
 * exceeded" as the transport error (a long-polling POST over it is answered 413, not counted).
 */
function countOversizedFrames(onRefused: OnRefused): (conn: EngineSocket) => void {
  // One listener for every connection (a connection closes once), none of its own.
  const closed = (reason: string, description?: { message?: unknown }): void => {
    const message = description?.message;
    if (
      reason === 'transport error' &&
      typeof message === 'string' &&
      message.includes('Max payload size exceeded')
    ) {
      onRefused('frame_size');
    }
  };
  return (conn) => {
    conn.on('close', closed);
  };
}
