import WebSocket from 'ws';

/** A frame to send: text, binary, or `{ text }` bytes sent as a text frame (possibly not UTF-8). */
export type RawFrame = string | Buffer | { text: Buffer };
type Received = string | Buffer;

let nextProbeId = 900_000;
/** How long an answer may take before the connection counts as hung (a bound, not a target). */
const ANSWER_WAIT_MS = 10_000;

/**
 * A bare WebSocket speaking Engine.IO v4 / Socket.IO v5 by hand, to send what no client library
 * would: it answers pings, collects what arrives and notices when the server hangs up.
 */
export class RawSocket {
  private readonly inbox: Received[] = [];
  private readonly waiters = new Set<{
    match: (m: Received) => boolean;
    done: (m?: Received) => void;
  }>();
  private closedAt?: number;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => this.receive(isBinary ? data : data.toString()));
    ws.on('close', (code) => {
      this.closedAt = code;
      for (const waiter of this.waiters) waiter.done(undefined);
      this.waiters.clear();
    });
    ws.on('error', () => undefined);
  }

  /** Opens a connection and waits for the Engine.IO handshake. */
  static async open(baseUrl: string): Promise<RawSocket> {
    const ws = new WebSocket(
      `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
      { maxPayload: 4_000_000 },
    );
    const socket = new RawSocket(ws);
    const open = await socket.next((m) => typeof m === 'string' && m.startsWith('0'));
    if (!open) throw new Error('no Engine.IO open packet');
    return socket;
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  send(frame: RawFrame): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (typeof frame === 'string') this.ws.send(frame);
    else if (Buffer.isBuffer(frame)) this.ws.send(frame, { binary: true });
    else this.ws.send(frame.text, { binary: false });
  }

  /** Socket.IO CONNECT to `namespace`; resolves with the server's answer (CONNECT or CONNECT_ERROR). */
  async connect(namespace: string, auth: unknown): Promise<string | undefined> {
    this.send(`40${namespace},${JSON.stringify(auth)}`);
    const reply = await this.next(
      (m) =>
        typeof m === 'string' &&
        (m.startsWith(`40${namespace},`) || m.startsWith(`44${namespace},`)),
    );
    return reply as string | undefined;
  }

  /** Emits `event` on `namespace` with an ack id and resolves with the ack's arguments. */
  async emitWithAck(
    namespace: string,
    event: string,
    payload: unknown,
    timeoutMs = ANSWER_WAIT_MS,
  ): Promise<unknown[] | undefined> {
    const id = (nextProbeId += 1);
    this.send(`42${namespace},${id}${JSON.stringify([event, payload])}`);
    return this.ackOf(namespace, id, timeoutMs);
  }

  /** The arguments of the server's ACK with `id`, or undefined if none comes. */
  async ackOf(
    namespace: string,
    id: number | string,
    timeoutMs = ANSWER_WAIT_MS,
  ): Promise<unknown[] | undefined> {
    const prefix = `43${namespace},${id}[`;
    const reply = await this.next((m) => typeof m === 'string' && m.startsWith(prefix), timeoutMs);
    return reply === undefined
      ? undefined
      : (JSON.parse((reply as string).slice(prefix.length - 1)) as unknown[]);
  }

  /**
   * What the connection does after garbage: 'closed' if the server hung up, 'alive' if it still
   * answers an event on `namespace`, 'hung' if neither.
   */
  async probe(
    namespace: string,
    event: string,
    payload: unknown,
  ): Promise<'closed' | 'alive' | 'hung'> {
    if (this.closed) return 'closed';
    const ack = await this.emitWithAck(namespace, event, payload);
    if (ack) return 'alive';
    return this.closed ? 'closed' : 'hung';
  }

  /** The next frame that matches (earlier unmatched frames stay queued), or undefined on close or timeout. */
  next(match: (m: Received) => boolean, timeoutMs = ANSWER_WAIT_MS): Promise<Received | undefined> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = {
        match,
        done: (m?: Received) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(m);
        },
      };
      const timer = setTimeout(() => waiter.done(undefined), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Whether the server closes the connection within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    if (!this.closed) await this.next(() => false, timeoutMs);
    return this.closed;
  }

  close(): void {
    this.ws.terminate();
  }

  private receive(message: Received): void {
    if (message === '2') return this.send('3');
    for (const waiter of this.waiters) {
      if (waiter.match(message)) return waiter.done(message);
    }
    this.inbox.push(message);
  }
}
