import { describe, expect, it } from '@jest/globals';
import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { AppConfig } from '../../config/app-config.js';
import type { LimitMetrics } from '../../metrics/limit.metrics.js';
import { Room } from '../../realtime/events.js';
import type { ActiveUsers } from './active-users.js';
import type { ChatService } from './chat.service.js';
import { ChatSessions } from './chat-sessions.js';
import type { MessageService } from './message.service.js';
import type { TypingService } from './typing.service.js';

const CHAT = '00000000-0000-4000-8000-000000000001';
const actor = { id: 'u1', role: 'CLIENT' } as unknown as Actor;

/** A connected socket that keeps its rooms in a set, as Socket.IO's in-memory adapter does. */
function fakeSocket(): AppSocket {
  const rooms = new Set<string>();
  return {
    connected: true,
    data: {},
    rooms,
    join: (room: string) => void rooms.add(room),
    leave: (room: string) => void rooms.delete(room),
  } as unknown as AppSocket;
}

/** Sessions whose joins subscribe the socket, then fail reading the page (the database went). */
function sessionsFailingAfterSubscribe(): ChatSessions {
  const messages = {
    join: async (_actor: Actor, _dto: unknown, subscribe: () => Promise<void> | void) => {
      await subscribe();
      throw new Error('connection terminated');
    },
  } as unknown as MessageService;
  return new ChatSessions(
    {} as ChatService,
    messages,
    { stop: () => undefined } as unknown as TypingService,
    {} as ActiveUsers,
    { limits: { roomsPerSocket: 10 } } as AppConfig,
    { refused: () => undefined } as unknown as LimitMetrics,
  );
}

describe('ChatSessions.join', () => {
  it('takes the socket out of the room again when the join fails after subscribing', async () => {
    const socket = fakeSocket();
    const sessions = sessionsFailingAfterSubscribe();
    await expect(sessions.join(actor, socket, { chatId: CHAT, limit: 50 })).rejects.toThrow(
      'connection terminated',
    );
    expect(socket.rooms.has(Room.chat(CHAT))).toBe(false);
    expect(socket.data.joined?.size).toBe(0);
  });
});
