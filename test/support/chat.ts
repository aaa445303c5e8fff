import type { ChatView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent } from '../../src/realtime/events.js';
import type { TestApp } from './create-test-app.js';
import { chatSocket, type TestClient } from './factories.js';
import { emitAck, type ClientSocket } from './sockets.js';

/** The ack's data, or a thrown error naming the failure. */
export async function ok<T>(socket: ClientSocket, event: string, payload: unknown): Promise<T> {
  const ack = await emitAck<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${JSON.stringify(ack.error)}`);
  return ack.data as T;
}

/** Events a socket receives from now on, for asserting what arrived and what did not. */
export function record<T>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export const settle = (ms = 150): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 50 ms until it holds; throws `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await settle(50);
  }
}

/** A GROUP chat created by `owner` with `others` as members. */
export async function makeGroup(
  t: TestApp,
  owner: TestClient,
  others: TestClient[],
  title = 'Team',
): Promise<ChatView> {
  const s = await chatSocket(t, owner);
  const chat = await ok<ChatView>(s, ChatClientEvent.CreateChat, {
    type: 'GROUP',
    title,
    memberIds: others.map((o) => o.id),
  });
  s.close();
  return chat;
}
