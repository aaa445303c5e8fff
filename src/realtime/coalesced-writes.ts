import { Logger } from '@nestjs/common';
import type { EngineSocket } from './limits/socket-types.js';
import { patchClass } from './patch-class.js';

const logger = new Logger('CoalescedWrites');

/** What of an Engine.IO transport this reads: ws's WebSocket holds its TCP socket as `_socket`. */
interface Transport {
  name: string;
  send: (this: Transport, packets: unknown[]) => void;
  socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
}

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
  holdFlushes(conn as object as Flushable);
  const transport = conn.transport as object as Transport;
  if (transport.name === 'websocket') corkBatches(transport);
  else conn.once('upgrade', (upgraded: Transport) => corkBatches(upgraded));
}

function corkBatches(transport: Transport): void {
  if (transport.name !== 'websocket') return;
  patchClass(
    transport,
    'send',
    (send) =>
      function (this: Transport, packets: unknown[]): void {
        const tcp = this.socket?._socket;
        if (packets.length < 2 || typeof tcp?.cork !== 'function') return send.call(this, packets);
        tcp.cork();
        try {
          send.call(this, packets);
        } finally {
          tcp.uncork!();
        }
      },
  );
}

/** What of an Engine.IO connection this reads: `flush` hands its buffered packets to the transport. */
interface Flushable {
  flush: (this: Flushable) => void;
}

/** While a hold is on, the connections with packets waiting, and the `flush` each will get. */
let held: Map<Flushable, (this: Flushable) => void> | null = null;

/**
 * Until the current task's microtasks run, what is sent to any connection waits in its buffer;
 * then each connection's waiting packets leave as one batch, one write (`coalesceWrites`).
 * Engine.IO writes a packet at once when the connection is idle, so k broadcasts made in one
 * go to the same sockets (a chat's messages stored together) would otherwise cost each socket k
 * system calls. Nothing waits longer than the code that is running: the hold ends before any
 * I/O, timer or awaited result is looked at, and the packets leave in the order they were sent.
 */
export function holdWrites(): void {
  if (held) return;
  held = new Map();
  queueMicrotask(releaseWrites);
}

function releaseWrites(): void {
  const waiting = held!;
  held = null;
  for (const [conn, flush] of waiting) {
    try {
      flush.call(conn);
    } catch (error) {
      // One connection's failure must not keep the others' packets waiting.
      logger.warn(`a held write failed: ${(error as Error).message}`);
    }
  }
}

/** Makes the connection's class wait with its `flush` while writes are held. */
function holdFlushes(conn: Flushable): void {
  patchClass(
    conn,
    'flush',
    (flush) =>
      function (this: Flushable): void {
        if (held) held.set(this, flush);
        else flush.call(this);
      },
  );
}
