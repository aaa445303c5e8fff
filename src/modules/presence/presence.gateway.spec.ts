import { describe, expect, it } from '@jest/globals';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { Room } from '../../realtime/events.js';
import type { PresenceQueries } from './presence.queries.js';
import type { PresenceRealtime } from './presence.realtime.js';
import type { PresenceService } from './presence.service.js';
import { PresenceGateway } from './presence.gateway.js';
import type { PresenceView } from './presence.types.js';

/** A socket's rooms, joined and left as Socket.IO's local adapter does. */
function socketIn(...rooms: string[]): AppSocket {
  const joined = new Set(rooms);
  return {
    id: 'socket-1',
    rooms: joined,
    join: (names: string[]) => void names.forEach((name) => joined.add(name)),
    leave: (name: string) => void joined.delete(name),
  } as unknown as AppSocket;
}

/** A gateway whose presence lookups answer, in turn, with what these give. */
function gatewayAnswering(...answers: (() => Promise<PresenceView[]>)[]): PresenceGateway {
  const presence = { of: () => answers.shift()!() } as unknown as PresenceService;
  return new PresenceGateway(presence, {} as PresenceQueries, {} as PresenceRealtime);
}

const offline = (userId: string): PresenceView => ({ userId, status: 'offline', lastSeen: null });

describe('PresenceGateway.subscribe', () => {
  it('leaves the rooms it joined when the lookup is refused', async () => {
    const socket = socketIn(Room.watch('a'));
    const gateway = gatewayAnswering(() => Promise.reject(new Error('store away')));
    await expect(gateway.subscribe(socket, { userIds: ['a', 'b'] })).rejects.toThrow('store away');
    expect([...socket.rooms]).toEqual([Room.watch('a')]);
  });

  it('keeps the watch of a subscribe that came while another of the same users failed', async () => {
    const socket = socketIn();
    let refuse!: (error: Error) => void;
    const gateway = gatewayAnswering(
      () => new Promise((_, reject) => (refuse = reject)),
      () => Promise.resolve([offline('b')]),
    );
    const first = gateway.subscribe(socket, { userIds: ['b'] });
    const retry = gateway.subscribe(socket, { userIds: ['b'] });
    await new Promise((resolve) => setImmediate(resolve));
    refuse(new Error('store away'));
    await expect(first).rejects.toThrow('store away');
    await expect(retry).resolves.toEqual({ users: [offline('b')] });
    expect([...socket.rooms]).toEqual([Room.watch('b')]);
  });
});
