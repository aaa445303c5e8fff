import type { EngineSocket } from './limits/socket-types.js';

/** What of an Engine.IO transport this reads: ws's WebSocket holds its TCP socket as `_socket`. */
interface Transport {
  name: string;
  send(packets: unknown[]): void;
  socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
}

/**
 * One write per batch of packets, not one per packet. While a WebSocket write is in flight,
 * Engine.IO buffers what a connection is sent (the acknowledgements of the events that arrived
 * with one read, a burst of broadcasts) and sends it as a batch when the write is done; ws then
 * writes each packet's frame on its own, one `writev` system call each. Those calls were nearly
 * half of the app's CPU time under load (`overhead` benchmark), the raw server's too. Corking the
 * connection's TCP socket for the batch makes it one call; each frame is as it was, in order.
 * Applies to the WebSocket transport (the one a long-polling connection upgrades to, too).
 */
export function coalesceWrites(conn: EngineSocket): void {
  corked(conn.transport as object as Transport);
  conn.on('upgrade', (transport: unknown) => corked(transport as Transport));
}

function corked(transport: Transport): void {
  const tcp = transport.socket?._socket;
  if (transport.name !== 'websocket' || typeof tcp?.cork !== 'function') return;
  const send = transport.send.bind(transport);
  transport.send = (packets) => {
    if (packets.length < 2) return send(packets);
    tcp.cork!();
    try {
      send(packets);
    } finally {
      tcp.uncork!();
    }
  };
}
