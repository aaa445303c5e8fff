import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP load balancer: each new connection goes to the next backend in turn, skipping
 * backends that refuse it, and is then piped through untouched. WebSocket-only Socket.IO clients
 * hold one TCP connection each, so no stickiness is needed; when a backend dies, its clients'
 * reconnections land on the backends still listening.
 */
export class RoundRobinBalancer {
  private server?: Server;
  private readonly open = new Set<Socket>();
  private next = 0;
  port = 0;
  /** The backend index of every connection forwarded so far, in order. */
  readonly picks: number[] = [];

  constructor(private readonly backendPorts: number[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next connection tries backend `index` first. */
  pointAt(index: number): void {
    this.next = index % this.backendPorts.length;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.open) s.destroy();
    this.open.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private forward(client: Socket, tried = 0): void {
    if (tried === 0) {
      this.track(client);
      client.on('error', () => client.destroy());
    }
    if (tried >= this.backendPorts.length || client.destroyed) {
      client.destroy();
      return;
    }
    const index = this.next;
    this.next = (index + 1) % this.backendPorts.length;
    const upstream = connect(this.backendPorts[index], '127.0.0.1');
    const refused = (): void => {
      upstream.destroy();
      this.forward(client, tried + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      this.picks.push(index);
      this.track(upstream);
      upstream.on('error', () => upstream.destroy());
      // Bytes the client sent meanwhile wait in its readable buffer until piped.
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
  }
}
