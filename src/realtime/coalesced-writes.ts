import type { EngineSocket } from './limits/socket-types.js';

/** What of an Engine.IO transport this reads: ws's WebSocket holds its TCP socket as `_socket`. */
interface Transport {
  name: string;
  send: (this: Transport, packets: unknown[]) => void;
  socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
}

/** Transport classes whose `send` corks (Engine.IO's WebSocket transport, once per process). */
const corking = new WeakSet<object>();

/**
 * One write per batch of packets, not one per packet. While a WebSocket write is in flight,
 * Engine.IO buffers what a connection is sent (the acknowledgements of the events that arrived
 * with one read, a burst of broadcasts) and sends it as a batch when the write is done; ws then
 * writes each packet's frame on its own, one `writev` system call each. Corking the connection's
 * TCP socket for the batch makes it one call; each frame is as it was, in order. Under the
 * `overhead` benchmark below saturation every send is one packet; at saturation sends carried
 * 1.3–2.7 packets, so a lagging server makes that many fewer calls.
 *
 * Called for each Engine.IO connection, it makes the WebSocket transport's class cork its
 * batches, once (a connection holds nothing of its own for it); a long-polling connection does
 * so when it upgrades.
 */
export function coalesceWrites(conn: EngineSocket): void {
  const transport = conn.transport as object as Transport;
  if (transport.name === 'websocket') corkBatches(transport);
  else conn.once('upgrade', (upgraded: Transport) => corkBatches(upgraded));
}

function corkBatches(transport: Transport): void {
  const type = Object.getPrototypeOf(transport) as Transport;
  if (transport.name !== 'websocket' || corking.has(type)) return;
  corking.add(type);
  const send = type.send;
  type.send = function (this: Transport, packets: unknown[]): void {
    const tcp = this.socket?._socket;
    if (packets.length < 2 || typeof tcp?.cork !== 'function') return send.call(this, packets);
    tcp.cork();
    try {
      send.call(this, packets);
    } finally {
      tcp.uncork!();
    }
  };
}
