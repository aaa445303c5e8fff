import { connect, type Socket } from 'node:net';
import { LoopbackForwarder } from './loopback-forwarder.js';

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A loopback TCP proxy that a test can cut and restore: `stop()` drops every connection and
 * refuses new ones, exactly what a client sees when its database server goes down. `stall()`
 * keeps every connection open and carries nothing either way until `resume()`, which delivers what
 * waited: a server that hangs, or a network path that has stopped (TCP retransmits, nothing is lost).
 */
export class TcpProxy extends LoopbackForwarder {
  private stalled = false;
  private readonly pairs = new Set<Pair>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    super();
  }

  stall(): void {
    this.stalled = true;
    for (const pair of this.pairs) hold(pair);
  }

  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const { client, upstream } of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  }

  protected forward(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.track(s);
      s.on('error', () => s.destroy());
    }
    LoopbackForwarder.splice(client, upstream);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.on('close', () => this.pairs.delete(pair));
    if (this.stalled) hold(pair);
  }
}

/** Stops carrying a connection's bytes: each side keeps what it has not sent, unread. */
function hold({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}
