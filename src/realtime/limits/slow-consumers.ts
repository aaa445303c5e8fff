import { Logger } from '@nestjs/common';
import type { EngineSocket, OnRefused } from './socket-types.js';

const logger = new Logger('SlowConsumers');

/** Engine.IO keeps it private; it is the queue of packets not yet handed to the transport. */
type Buffered = { writeBuffer: unknown[] };

/** What Engine.IO's 'packetCreate' hands its listeners. */
type Packet = { data?: unknown };

/** Caps on what may wait for one connection; 0 turns one off. */
export interface BufferCaps {
  packets: number;
  /** Characters of text packets plus bytes of binary ones. */
  bytes: number;
}

/**
 * Drops a connection whose client stopped reading: an Engine.IO write buffer has no bound of its
 * own (engine.io #420), so once `packets` packets or `bytes` of data wait in it the connection is
 * closed and what it held is thrown away. The client reconnects and catches up with joinChat
 * `sinceSeq`. The buffer empties into the transport on 'flush', one batch at a time: the batch
 * being written is not counted, and is at most what the caps let through.
 */
export function dropSlowConsumers(
  caps: BufferCaps,
  onRefused: OnRefused,
): (conn: EngineSocket) => void {
  return (conn) => {
    let bytes = 0;
    const onFlush = (): void => {
      bytes = 0;
    };
    const onPacket = (packet: Packet): void => {
      bytes += sizeOf(packet.data);
      const packets = (conn as unknown as Buffered).writeBuffer.length;
      const over =
        caps.packets > 0 && packets >= caps.packets
          ? `${packets} packets`
          : caps.bytes > 0 && bytes > caps.bytes
            ? `${bytes} bytes`
            : null;
      if (!over) return;
      conn.off('packetCreate', onPacket);
      conn.off('flush', onFlush);
      onRefused('slow_consumer');
      logger.warn(`dropping a client that stopped reading (${over} unsent)`);
      // Outside Socket.IO's send loop, which may be broadcasting to this very connection.
      process.nextTick(() => drop(conn));
    };
    conn.on('packetCreate', onPacket);
    conn.on('flush', onFlush);
  };
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
