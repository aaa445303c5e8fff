import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { UserSockets } from './user-sockets.js';

/** The parts of a socket the middleware touches: its user, events, and its connection's. */
function fakeSocket(userId: string): AppSocket & EventEmitter & { conn: EventEmitter } {
  const conn = Object.assign(new EventEmitter(), { readyState: 'open' });
  return Object.assign(new EventEmitter(), { data: { user: { id: userId } }, conn }) as never;
}

function admit(limiter: UserSockets, socket: AppSocket): Error | undefined {
  let result: Error | undefined;
  limiter.middleware(socket, (error) => (result = error));
  return result;
}

describe('UserSockets', () => {
  it('gives the place back when the connection closes before the socket ever connects', () => {
    const limiter = new UserSockets(1);
    const first = fakeSocket('u1');
    expect(admit(limiter, first)).toBeUndefined();
    expect(admit(limiter, fakeSocket('u1'))).toBeInstanceOf(Error);
    first.conn.emit('close');
    expect(limiter.held('u1')).toBe(0);
    expect(admit(limiter, fakeSocket('u1'))).toBeUndefined();
  });

  it('gives a place back once, whether disconnect, close or both happen', () => {
    const limiter = new UserSockets(3);
    const [a, b] = [fakeSocket('u2'), fakeSocket('u2')];
    admit(limiter, a);
    admit(limiter, b);
    a.emit('disconnect');
    a.conn.emit('close');
    a.emit('disconnect');
    expect(limiter.held('u2')).toBe(1);
    expect(a.conn.listenerCount('close')).toBe(0);
  });
});
