import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { SocketAuthenticator } from './socket-authenticator.js';
import type { TokenService } from './token.service.js';
import type { UsersService } from '../users/users.service.js';

const user = { id: 'u1', name: 'U', role: 'CLIENT', exp: Math.floor(Date.now() / 1000) + 3600 };
const authenticator = new SocketAuthenticator(
  { verify: () => user } as unknown as TokenService,
  { remember: () => Promise.resolve() } as unknown as UsersService,
);

/** A namespace socket on `conn`, the Engine.IO connection a client's namespaces share. */
function namespaceSocket(conn: EventEmitter): AppSocket & EventEmitter {
  return Object.assign(new EventEmitter(), {
    conn,
    connected: false,
    data: {},
    handshake: { auth: { token: 't' }, headers: {}, query: {} },
  }) as unknown as AppSocket & EventEmitter;
}

const authenticate = (socket: AppSocket): Promise<Error | undefined> =>
  new Promise((resolve) => authenticator.middleware(socket, resolve));

/** What Socket.IO does once every middleware has let the socket through. */
function connect(socket: AppSocket): void {
  Object.assign(socket, { connected: true });
  authenticator.connected(socket);
}

describe('SocketAuthenticator', () => {
  it('arms nothing for a socket it let through until the socket connects', async () => {
    const conn = new EventEmitter();
    // A later middleware (the sockets-per-user limit) refuses each of these.
    for (let i = 0; i < 20; i += 1) {
      const socket = namespaceSocket(conn);
      expect(await authenticate(socket)).toBeUndefined();
      expect(socket.data.user).toBe(user);
      expect(socket.listenerCount('disconnect')).toBe(0);
    }
    expect(conn.listenerCount('close')).toBe(0);
  });

  it('leaves no listener once a connected socket has gone', async () => {
    const conn = new EventEmitter();
    for (let i = 0; i < 20; i += 1) {
      const socket = namespaceSocket(conn);
      await authenticate(socket);
      connect(socket);
      expect(socket.listenerCount('disconnect')).toBe(1);
      socket.emit('disconnect', 'client namespace disconnect');
      expect(socket.listenerCount('disconnect')).toBe(0);
    }
    expect(conn.listenerCount('close')).toBe(0);
  });
});
