import { connect, type Socket } from 'node:net';
import { LoopbackForwarder } from './loopback-forwarder.js';

/**
 * A loopback TCP load balancer: each new connection goes to the next backend in turn, skipping
 * backends that refuse it, and is then piped through untouched. WebSocket-only Socket.IO clients
 * hold one TCP connection each, so no stickiness is needed; when a backend dies, its clients'
 * reconnections land on the backends still listening.
 */
export class RoundRobinBalancer extends LoopbackForwarder {
  private next = 0;
  /** The backend index of every connection forwarded so far, in order. */
  readonly picks: number[] = [];

  constructor(private readonly backendPorts: number[]) {
    super();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next connection tries backend `index` first. */
  pointAt(index: number): void {
    this.next = index % this.backendPorts.length;
  }

  protected forward(client: Socket, tried = 0): void {
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
      LoopbackForwarder.splice(client, upstream);
    });
  }
}
