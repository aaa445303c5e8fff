import { createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP listener that hands each client connection to `forward`, and on `stop()` drops
 * every connection it tracks and refuses new ones until started again (on the same port).
 */
export abstract class LoopbackForwarder {
  private server?: Server;
  private readonly open = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    if (this.server) return;
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

  protected abstract forward(client: Socket): void;

  /** Drops `socket` on stop(), and drops it from the set once closed. */
  protected track(socket: Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
  }

  /** Pipes both ways; either side closing closes the other. */
  protected static splice(client: Socket, upstream: Socket): void {
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
