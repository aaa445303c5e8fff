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
    data: {},
    handshake: { auth: { token: 't' }, headers: {}, query: {} },
  }) as unknown as AppSocket & EventEmitter;
}

const authenticate = (socket: AppSocket): Promise<Error | undefined> =>
  new Promise((resolve) => authenticator.middleware(socket, resolve));

describe('SocketAuthenticator', () => {
  it('leaves no listener on the shared connection once a namespace socket has gone', async () => {
    const conn = new EventEmitter();
    for (let i = 0; i < 20; i += 1) {
      const socket = namespaceSocket(conn);
      expect(await authenticate(socket)).toBeUndefined();
      expect(socket.data.user).toBe(user);
      expect(conn.listenerCount('close')).toBe(1);
      socket.emit('disconnect', 'client namespace disconnect');
      expect(conn.listenerCount('close')).toBe(0);
      expect(socket.listenerCount('disconnect')).toBe(0);
    }
  });

  it('disarms a socket whose connection closed during the handshake', async () => {
    const conn = new EventEmitter();
    const socket = namespaceSocket(conn);
    await authenticate(socket);
    conn.emit('close', 'transport close');
    expect(socket.listenerCount('disconnect')).toBe(0);
    expect(conn.listenerCount('close')).toBe(0);
  });
});
