import WebSocket from 'ws';

/**
 * A Socket.IO client spoken by hand over one raw WebSocket (Engine.IO v4), for what
 * socket.io-client cannot do: stop reading from its TCP socket while the server keeps sending.
 */
export class RawSocket {
  private nextId = 1;
  private readonly acks = new Map<number, (data: unknown) => void>();
  /** Resolves when the WebSocket closes. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    private readonly namespace: string,
  ) {
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (raw: Buffer) => this.onFrame(raw.toString()));
  }

  /** Opens the connection and the namespace with `token`; rejects with the connect_error. */
  static async connect(baseUrl: string, namespace: string, token: string): Promise<RawSocket> {
    const ws = new WebSocket(
      `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
    );
    const socket = new RawSocket(ws, namespace);
    const connected = new Promise<void>((resolve, reject) => {
      ws.on('message', (raw: Buffer) => {
        const frame = raw.toString();
        if (frame.startsWith('0')) ws.send(`40${namespace},${JSON.stringify({ token })}`);
        else if (frame.startsWith(`40${namespace},`)) resolve();
        else if (frame.startsWith(`44${namespace},`)) reject(new Error(frame));
      });
      ws.once('error', reject);
      ws.once('close', () => reject(new Error('closed during the handshake')));
    });
    await connected;
    return socket;
  }

  /** Emits `event` and resolves with the acknowledgement. */
  emit<T = unknown>(event: string, payload: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve as (data: unknown) => void);
      this.ws.send(`42${this.namespace},${id}${JSON.stringify([event, payload])}`);
    });
  }

  /** Stops reading from the TCP socket: the server's writes pile up. */
  pause(): void {
    this.tcp().pause();
  }

  resume(): void {
    this.tcp().resume();
  }

  close(): void {
    this.ws.terminate();
  }

  private tcp(): { pause(): void; resume(): void } {
    return (this.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  }

  private onFrame(frame: string): void {
    if (frame === '2') return this.ws.send('3'); // ping → pong
    const ack = new RegExp(`^43${this.namespace},(\\d+)(.*)$`, 's').exec(frame);
    if (!ack) return;
    const [data] = JSON.parse(ack[2]) as unknown[];
    this.acks.get(Number(ack[1]))?.(data);
    this.acks.delete(Number(ack[1]));
  }
}
