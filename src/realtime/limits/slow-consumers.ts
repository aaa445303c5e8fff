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
  /** The buffer counted: Engine.IO hands its buffer to the transport and starts a new array. */
  buffer: unknown[] | null;
  bytes: number;
}

const WATCH = Symbol('slowConsumerWatch');

/** What of an Engine.IO connection this reads; `writeBuffer` is private to Engine.IO. */
interface Buffering {
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
 * written is not counted, and is at most what the caps let through.
 *
 * Checked after each packet is queued, by Engine.IO's `sendPacket` (patched once per class), not
 * by 'packetCreate' and 'flush' listeners: two listener calls per packet were about 4% of the
 * app's time in a broadcast to a thousand sockets. A packet that left at once costs one length
 * check.
 */
export function dropSlowConsumers(
  caps: BufferCaps,
  onRefused: OnRefused,
): (conn: EngineSocket) => void {
  return (conn) => {
    const buffering = conn as object as Buffering;
    buffering[WATCH] = { caps, onRefused, buffer: null, bytes: 0 };
    patchClass(
      buffering,
      'sendPacket',
      (sendPacket) =>
        function (this: Buffering, type, data, ...rest): void {
          sendPacket.call(this, type, data, ...rest);
          const watch = this[WATCH];
          if (watch && this.writeBuffer.length > 0) queued(this, watch, data);
        },
    );
  };
}

/** `data` was queued behind what the buffer holds: over a cap, the connection goes. */
function queued(conn: Buffering, watch: Watch, data: unknown): void {
  if (watch.buffer !== conn.writeBuffer) {
    watch.buffer = conn.writeBuffer;
    watch.bytes = 0;
  }
  watch.bytes += sizeOf(data);
  const { packets: maxPackets, bytes: maxBytes } = watch.caps;
  const packets = conn.writeBuffer.length;
  const over =
    maxPackets > 0 && packets > maxPackets
      ? `${packets} packets`
      : maxBytes > 0 && watch.bytes > maxBytes
        ? `${watch.bytes} bytes`
        : null;
  if (!over) return;
  delete conn[WATCH];
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
