import { settle, waitUntil } from './chat.js';
import { io } from 'socket.io-client';
import type { MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent, ChatServerEvent } from '../../src/realtime/events.js';
import type { Ack, ClientSocket } from './sockets.js';

/**
 * Clients that behave like a careful app in a cluster: sockets that reconnect by themselves,
 * a reader that recovers what it missed with joinChat sinceSeq, and senders that retry with the
 * same clientMessageId.
 */

const opened = new Set<ClientSocket>();

/** A WebSocket-only socket that reconnects by itself, quickly (tests wait for it). */
export function reconnectingSocket(url: string, namespace: string, token: string): ClientSocket {
  const socket = io(`${url}${namespace}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    randomizationFactor: 0,
    timeout: 3000,
    auth: { token },
  });
  opened.add(socket);
  return socket;
}

export function closeResilientSockets(): void {
  for (const socket of opened) socket.close();
  opened.clear();
}

export function connected(socket: ClientSocket, timeoutMs = 10_000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not connected in time')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Reads one chat: every `newMessage`, and on every (re)connection `joinChat` with the highest
 * seq below which it has seen everything, page after page. Messages are kept by seq (joinChat
 * and live delivery may overlap); a seq seen with two different ids is recorded as a conflict.
 */
export class ChatReader {
  readonly ids = new Map<number, string>();
  readonly conflicts: string[] = [];
  readonly disconnects: { reason: string; at: number }[] = [];
  readonly connects: number[] = [];
  readonly joinFailures: string[] = [];
  /** Completed joins (the first, then one per reconnection). */
  joins = 0;
  /** Messages first seen in the answer to a joinChat after a reconnection: what it missed. */
  recovered = 0;

  private constructor(
    readonly socket: ClientSocket,
    private readonly chatId: string,
  ) {
    socket.on(ChatServerEvent.NewMessage, (m: MessageView) => {
      if (m.chatId === chatId) this.add(m);
    });
    socket.on('disconnect', (reason) => this.disconnects.push({ reason, at: Date.now() }));
    socket.on('connect', () => {
      this.connects.push(Date.now());
      void this.join();
    });
  }

  /** Opens the reader's socket and resolves once it has joined the chat. */
  static async open(url: string, token: string, chatId: string): Promise<ChatReader> {
    const reader = new ChatReader(reconnectingSocket(url, '/chat', token), chatId);
    await connected(reader.socket);
    await waitUntil(() => reader.joins > 0, 10_000, 'the reader did not join');
    return reader;
  }

  /** The highest n such that seq 1..n have all been seen. */
  get contiguous(): number {
    let n = 0;
    while (this.ids.has(n + 1)) n++;
    return n;
  }

  private add(m: MessageView, recovering = false): void {
    const known = this.ids.get(m.seq);
    if (known === undefined) {
      this.ids.set(m.seq, m.id);
      if (recovering) this.recovered++;
    } else if (known !== m.id) this.conflicts.push(`seq ${m.seq}: ${known} and ${m.id}`);
  }

  private async join(): Promise<void> {
    for (;;) {
      const ack = (await this.socket
        .timeout(5000)
        .emitWithAck(ChatClientEvent.JoinChat, {
          chatId: this.chatId,
          sinceSeq: this.contiguous,
          limit: 100,
        })
        .catch((error: Error) => ({ ok: false, error: { code: error.message } }))) as Ack<{
        messages: MessageView[];
        hasMore: boolean;
      }>;
      if (!ack.ok) {
        this.joinFailures.push(JSON.stringify(ack.error));
        if (!this.socket.connected) return; // the next connection joins again
        await settle(200);
        continue;
      }
      for (const m of ack.data!.messages) this.add(m, this.joins > 0);
      if (!ack.data!.hasMore) break;
    }
    this.joins++;
  }
}

export interface SendOutcome {
  clientMessageId: string;
  /** `ok`, an error code, or `timeout` when no ack came. */
  result: string;
  attempts: number;
  /** How long the last attempt waited for its answer. */
  latencyMs: number;
  seq?: number;
  id?: string;
}

/** One sendMessage, answered or timed out. */
export async function sendOnce(
  socket: ClientSocket,
  chatId: string,
  clientMessageId: string,
  ackTimeoutMs = 8000,
): Promise<SendOutcome> {
  const started = Date.now();
  try {
    const ack = (await socket.timeout(ackTimeoutMs).emitWithAck(ChatClientEvent.SendMessage, {
      chatId,
      text: `message ${clientMessageId}`,
      clientMessageId,
    })) as Ack<MessageView>;
    const latencyMs = Date.now() - started;
    if (ack.ok) {
      return { clientMessageId, result: 'ok', attempts: 1, latencyMs, ...pick(ack.data!) };
    }
    return { clientMessageId, result: ack.error!.code, attempts: 1, latencyMs };
  } catch (error) {
    // Either no answer in time, or the socket dropped (acks pending on it are failed at once).
    const result = /disconnected/.test((error as Error).message) ? 'disconnected' : 'timeout';
    return { clientMessageId, result, attempts: 1, latencyMs: Date.now() - started };
  }
}

/**
 * Sends until acknowledged `ok`, retrying after no answer, a dropped socket or UNAVAILABLE with
 * the same clientMessageId (emits made while disconnected go out on reconnection).
 */
export async function sendUntilOk(
  socket: ClientSocket,
  chatId: string,
  clientMessageId: string,
  giveUpAfterMs = 20_000,
): Promise<SendOutcome> {
  const deadline = Date.now() + giveUpAfterMs;
  for (let attempts = 1; ; attempts++) {
    const outcome = await sendOnce(socket, chatId, clientMessageId, 3000);
    if (outcome.result === 'ok' || Date.now() > deadline) return { ...outcome, attempts };
    if (outcome.result === 'disconnected') await connected(socket).catch(() => undefined);
    else await settle(100);
  }
}

/** Runs `send(i)` for i = 0, 1, … every `intervalMs` while `more()` says so; all outcomes. */
export async function steadily<T>(
  intervalMs: number,
  more: (i: number) => boolean,
  send: (i: number) => Promise<T>,
): Promise<T[]> {
  const pending: Promise<T>[] = [];
  for (let i = 0; more(i); i++) {
    pending.push(send(i));
    await settle(intervalMs);
  }
  return Promise.all(pending);
}

function pick(m: MessageView): { seq: number; id: string } {
  return { seq: m.seq, id: m.id };
}
