import { Logger } from '@nestjs/common';
import type { EngineSocket } from './socket-types.js';

const logger = new Logger('SlowConsumers');

/** Engine.IO keeps it private; it is the queue of packets not yet handed to the transport. */
type Buffered = { writeBuffer: unknown[] };

/**
 * Drops a connection whose client stopped reading: an Engine.IO write buffer has no bound of its
 * own (engine.io #420), so once `cap` packets wait in it the connection is closed and what it
 * held is thrown away. The client reconnects and catches up with joinChat `sinceSeq`.
 */
export function dropSlowConsumers(cap: number): (conn: EngineSocket) => void {
  return (conn) => {
    const onPacket = (): void => {
      if ((conn as unknown as Buffered).writeBuffer.length < cap) return;
      conn.off('packetCreate', onPacket);
      logger.warn(`dropping a client that stopped reading (${cap} packets unsent)`);
      // Outside Socket.IO's send loop, which may be broadcasting to this very connection.
      process.nextTick(() => drop(conn));
    };
    conn.on('packetCreate', onPacket);
  };
}

/** Closes without waiting for the buffer to drain (it never would), and frees the TCP socket. */
function drop(conn: EngineSocket): void {
  conn.close(true);
  (conn.transport as unknown as { socket?: { terminate?: () => void } }).socket?.terminate?.();
}
