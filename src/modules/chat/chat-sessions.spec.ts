import { describe, expect, it } from '@jest/globals';
import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { AppConfig } from '../../config/app-config.js';
import type { LimitMetrics } from '../../metrics/limit.metrics.js';
import { Room } from '../../realtime/events.js';
import type { ActiveUsers } from './active-users.js';
import type { ChatService } from './chat.service.js';
import { ChatSessions, TYPED_IN_PRUNE_AT, type Joined } from './chat-sessions.js';
import type { MessageService } from './message.service.js';
import type { TypingService } from './typing.service.js';

const CHAT = '00000000-0000-4000-8000-000000000001';
const ROOM = Room.chat(CHAT);
const actor = { id: 'u1', role: 'CLIENT' } as unknown as Actor;
const dto = { chatId: CHAT, limit: 50 };
const page = { chat: {}, messages: [], hasMore: false } as unknown as Joined;

/** A connected socket that keeps its rooms in a set, as Socket.IO's in-memory adapter does. */
function fakeSocket(): AppSocket {
  const rooms = new Set<string>();
  const room = { except: () => room, emit: () => true };
  return {
    id: 's1',
    connected: true,
    data: {},
    rooms,
    nsp: { to: () => room },
    join: (name: string) => void rooms.add(name),
    leave: (name: string) => void rooms.delete(name),
  } as unknown as AppSocket;
}

/** A join the test steps through: its access check, then (subscribed) its page. */
interface PendingJoin {
  /** Ends the access check (done at once unless the sessions were made `gated`). */
  checked(): void;
  finish(error?: Error): void;
}

/** Sessions whose joins subscribe the socket and then wait for the test to end them. */
function sessions(gated = false): { sessions: ChatSessions; joins: PendingJoin[] } {
  const joins: PendingJoin[] = [];
  const messages = {
    join: async (_actor: Actor, _dto: unknown, subscribe: () => Promise<void> | void) => {
      const join = {} as PendingJoin;
      joins.push(join);
      const access = new Promise<void>((resolve) => (join.checked = resolve));
      if (gated) await access;
      await subscribe();
      await new Promise<void>((resolve, reject) => {
        join.finish = (error) => (error ? reject(error) : resolve());
      });
      return page;
    },
  } as unknown as MessageService;
  const active = { joined: () => undefined, left: () => undefined } as unknown as ActiveUsers;
  return {
    joins,
    sessions: new ChatSessions(
      {} as ChatService,
      messages,
      { stop: () => undefined } as unknown as TypingService,
      active,
      { limits: { roomsPerSocket: 10 } } as AppConfig,
      { refused: () => undefined } as unknown as LimitMetrics,
    ),
  };
}

/** Lets the joins reach their wait. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const down = new Error('connection terminated');

describe('ChatSessions.join', () => {
  it('takes the socket out of the room again when the join fails after subscribing', async () => {
    const socket = fakeSocket();
    const { sessions: s, joins } = sessions();
    const join = s.join(actor, socket, dto);
    await settle();
    joins[0].finish(down);
    await expect(join).rejects.toThrow(down);
    expect(socket.rooms.has(ROOM)).toBe(false);
    expect(socket.data.joined?.has(CHAT)).toBe(false);
  });

  it('stays joined when one of two joins of the chat fails and the other succeeds', async () => {
    const socket = fakeSocket();
    const { sessions: s, joins } = sessions();
    const first = s.join(actor, socket, dto);
    const second = s.join(actor, socket, dto);
    await settle();
    joins[0].finish(down);
    await expect(first).rejects.toThrow(down);
    joins[1].finish();
    await expect(second).resolves.toBe(page);
    expect(socket.rooms.has(ROOM)).toBe(true);
    expect(socket.data.joined?.get(CHAT)?.active).toBe(true);
  });

  it('does not subscribe a rejoin whose chat was left during its access check', async () => {
    const socket = fakeSocket();
    const { sessions: s, joins } = sessions(true);
    const first = s.join(actor, socket, dto);
    // A socket's joins reach the service a turn later (JOINS_AT_ONCE).
    await settle();
    joins[0].checked();
    await settle();
    joins[0].finish();
    await first;
    const again = s.join(actor, socket, dto);
    await settle();
    await s.leave(actor, socket, CHAT);
    joins[1].checked();
    await settle();
    joins[1].finish(down);
    await expect(again).rejects.toThrow(down);
    expect(socket.rooms.has(ROOM)).toBe(false);
  });

  it('leaves the room when the chat is left while its join fails', async () => {
    const socket = fakeSocket();
    const { sessions: s, joins } = sessions();
    const join = s.join(actor, socket, dto);
    await settle();
    await s.leave(actor, socket, CHAT);
    joins[0].finish(down);
    await expect(join).rejects.toThrow(down);
    expect(socket.rooms.has(ROOM)).toBe(false);
  });
});

describe('ChatSessions.typing', () => {
  /** Typists as TypingService keeps them; `expire` stands for TYPING_TTL_MS running out. */
  function typingSessions() {
    const typing = new Set<string>();
    const typists = {
      set: (chatId: string, _actor: Actor, isTyping: boolean) =>
        void (isTyping ? typing.add(chatId) : typing.delete(chatId)),
      isTyping: (chatId: string) => typing.has(chatId),
      stop: (chatId: string) => void typing.delete(chatId),
    } as unknown as TypingService;
    const s = new ChatSessions(
      {} as ChatService,
      {} as MessageService,
      typists,
      {} as ActiveUsers,
      { limits: { roomsPerSocket: 10 } } as AppConfig,
      {} as LimitMetrics,
    );
    return { s, expire: (chatId: string) => typing.delete(chatId) };
  }
  /** A socket already in each chat's room, so typing needs no access check. */
  const socketIn = (chatIds: string[]): AppSocket => {
    const socket = fakeSocket();
    for (const chatId of chatIds) socket.rooms.add(Room.chat(chatId));
    return socket;
  };
  const typedIn = (socket: AppSocket) => [...(socket.data.typedIn ?? [])];

  it('forgets a chat once the socket says it stopped typing there', async () => {
    const { s } = typingSessions();
    const socket = socketIn(['a', 'b']);
    await s.typing(actor, socket, { chatId: 'a', isTyping: true });
    await s.typing(actor, socket, { chatId: 'b', isTyping: true });
    await s.typing(actor, socket, { chatId: 'a', isTyping: false });
    expect(typedIn(socket)).toEqual(['b']);
  });

  it('keeps the list short when typing runs out, and keeps chats still typed in', async () => {
    const { s, expire } = typingSessions();
    const chats = Array.from({ length: 200 }, (_, i) => `chat-${i}`);
    const socket = socketIn(['kept', ...chats]);
    await s.typing(actor, socket, { chatId: 'kept', isTyping: true });
    for (const chatId of chats) {
      await s.typing(actor, socket, { chatId, isTyping: true });
      expire(chatId);
      expect(typedIn(socket).length).toBeLessThanOrEqual(TYPED_IN_PRUNE_AT);
    }
    expect(typedIn(socket)).toContain('kept');
  });
});
