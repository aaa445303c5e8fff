import { connect, type Socket } from 'node:net';
import { LoopbackForwarder } from './loopback-forwarder.js';

/**
 * A loopback TCP proxy that a test can cut and restore: `stop()` drops every connection and
 * refuses new ones, exactly what a client sees when its database server goes down. `stall()`
 * keeps every connection open and carries nothing either way until `resume()`: a server that
 * hangs, or a network that drops every packet.
 */
export class TcpProxy extends LoopbackForwarder {
  private stalled = false;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    super();
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
  }

  protected forward(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.track(s);
      s.on('error', () => s.destroy());
    }
    // Bytes that arrive while stalled are dropped, as a network that drops packets would.
    const carry = (from: Socket, to: Socket): void => {
      from.on('data', (chunk: Buffer) => this.stalled || to.write(chunk));
      from.on('close', () => to.destroy());
    };
    carry(client, upstream);
    carry(upstream, client);
  }
}
