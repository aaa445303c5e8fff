import { Logger } from '@nestjs/common';
import { patchClass } from '../patch-class.js';
import type { EngineSocket, OnRefused } from './socket-types.js';

const logger = new Logger('SlowConsumers');

/** Caps on what may wait for one connection; 0 turns one off. */
export interface BufferCaps {
  packets: number;
  /** Characters of text packets plus bytes of binary ones. */
  bytes: number;
}

/** What a capped connection keeps of its buffer. */
interface Watch {
  caps: BufferCaps;
  onRefused: OnRefused;
  /** Of the packets waiting in the buffer. */
  bytes: number;
}

const WATCH = Symbol('slowConsumerWatch');

/** What of an Engine.IO connection this reads; `writeBuffer` is private to Engine.IO. */
interface Buffering {
  readyState: string;
  writeBuffer: unknown[];
  [WATCH]?: Watch;
  sendPacket: (
    this: Buffering,
    type: string,
    data?: unknown,
    options?: unknown,
    callback?: unknown,
  ) => void;
}

/**
 * Drops a connection whose client stopped reading: an Engine.IO write buffer has no bound of its
 * own (engine.io #420), so once more than `packets` packets or `bytes` of data wait in it the
 * connection is closed and what it held is thrown away. The client reconnects and catches up with
 * joinChat `sinceSeq`. The buffer empties into the transport one batch at a time: the batch being
 * written is not counted, and is at most what the caps let through (a packet over the byte cap
 * drops its connection even when it leaves at once).
 *
 * Checked after each packet is queued, by Engine.IO's `sendPacket` (patched once per class), not
 * by 'packetCreate' and 'flush' listeners: two listener calls per packet were about 4% of the
 * app's time in a broadcast to a thousand sockets. A buffer of one packet after the push was
 * empty before it, so what was counted has left: no reference to a buffer handed to the
 * transport is kept.
 */
export function dropSlowConsumers(
  caps: BufferCaps,
  onRefused: OnRefused,
): (conn: EngineSocket) => void {
  return (conn) => {
    const buffering = conn as object as Buffering;
    buffering[WATCH] = { caps, onRefused, bytes: 0 };
    patchClass(
      buffering,
      'sendPacket',
      (sendPacket) =>
        function (this: Buffering, type, data, options, callback): void {
          const watch = this[WATCH];
          // A closing connection queues nothing more: nothing to count.
          const queues = watch && this.readyState !== 'closing' && this.readyState !== 'closed';
          sendPacket.call(this, type, data, options, callback);
          if (queues) counted(this, watch, data);
        },
    );
  };
}

/** `data` was sent: waiting behind the buffer's packets, or gone at once. Over a cap, the connection goes. */
function counted(conn: Buffering, watch: Watch, data: unknown): void {
  const packets = conn.writeBuffer.length;
  if (packets <= 1) watch.bytes = 0;
  watch.bytes += sizeOf(data);
  const { packets: maxPackets, bytes: maxBytes } = watch.caps;
  const over =
    maxPackets > 0 && packets > maxPackets
      ? `${packets} packets`
      : maxBytes > 0 && watch.bytes > maxBytes
        ? `${watch.bytes} bytes`
        : null;
  if (packets === 0) watch.bytes = 0;
  if (!over) return;
  conn[WATCH] = undefined;
  watch.onRefused('slow_consumer');
  logger.warn(`dropping a client that stopped reading (${over} unsent)`);
  // Outside Socket.IO's send loop, which may be broadcasting to this very connection.
  process.nextTick(() => drop(conn as object as EngineSocket));
}

/** String length rather than UTF-8 bytes: O(1), and within 2× of what V8 holds for it. */
function sizeOf(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** Closes without waiting for the buffer to drain (it never would), and frees the TCP socket. */
function drop(conn: EngineSocket): void {
  conn.close(true);
  (conn.transport as unknown as { socket?: { terminate?: () => void } }).socket?.terminate?.();
}
