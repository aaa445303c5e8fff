import { connect, type Socket } from 'node:net';
import { LoopbackForwarder } from './loopback-forwarder.js';

/**
 * A loopback TCP proxy that a test can cut and restore: `stop()` drops every connection and
 * refuses new ones, exactly what a client sees when its database server goes down.
 */
export class TcpProxy extends LoopbackForwarder {
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    super();
  }

  protected forward(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.track(s);
      s.on('error', () => s.destroy());
    }
    LoopbackForwarder.splice(client, upstream);
  }
}
