import { describe, expect, it } from '@jest/globals';
import type { LimitName } from '../../metrics/limit.metrics.js';
import { dropSlowConsumers, type BufferCaps } from './slow-consumers.js';
import type { EngineSocket } from './socket-types.js';

/** What of an Engine.IO connection the caps rely on: a buffer replaced by a new array on flush. */
class FakeConnection {
  readyState = 'open';
  writable = true;
  writeBuffer: { data?: unknown }[] = [];
  batches: unknown[][] = [];
  closed = false;
  transport = { socket: { terminate: () => undefined } };

  sendPacket(_type: string, data?: unknown): void {
    if (this.readyState === 'closing' || this.readyState === 'closed') return;
    this.writeBuffer.push({ data });
    this.flush();
  }

  flush(): void {
    if (!this.writable || this.writeBuffer.length === 0) return;
    this.batches.push(this.writeBuffer.map((packet) => packet.data));
    this.writeBuffer = [];
  }

  close(): void {
    this.closed = true;
    this.readyState = 'closed';
  }

  send(data: string): void {
    this.sendPacket('message', data);
  }
}

function capped(caps: BufferCaps): { conn: FakeConnection; refused: LimitName[] } {
  const conn = new FakeConnection();
  const refused: LimitName[] = [];
  dropSlowConsumers(caps, (limit) => refused.push(limit))(conn as unknown as EngineSocket);
  return { conn, refused };
}

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('dropSlowConsumers', () => {
  it('does not count packets that leave at once', async () => {
    const { conn, refused } = capped({ packets: 2, bytes: 10 });
    for (let i = 0; i < 50; i += 1) conn.send('123456789');
    await nextTick();
    expect({ refused, closed: conn.closed, batches: conn.batches.length }).toEqual({
      refused: [],
      closed: false,
      batches: 50,
    });
  });

  it('drops a connection once more than `packets` wait, after the send that went over', async () => {
    const { conn, refused } = capped({ packets: 3, bytes: 0 });
    conn.writable = false;
    for (let i = 0; i < 3; i += 1) conn.send('x');
    expect(refused).toEqual([]);
    conn.send('x');
    expect(refused).toEqual(['slow_consumer']);
    expect(conn.closed).toBe(false);
    await nextTick();
    expect(conn.closed).toBe(true);
  });

  it('counts the bytes waiting since the last flush, not those already written', async () => {
    const { conn, refused } = capped({ packets: 0, bytes: 10 });
    conn.writable = false;
    conn.send('aaaa');
    conn.send('aaaa');
    conn.writable = true;
    conn.flush();
    conn.writable = false;
    conn.send('bbbbbbbb');
    conn.send('cc');
    expect(refused).toEqual([]);
    conn.send('d');
    expect(refused).toEqual(['slow_consumer']);
    await nextTick();
    expect(conn.closed).toBe(true);
  });

  it('drops a connection sent a packet over the byte cap, even one that leaves at once', () => {
    const { conn, refused } = capped({ packets: 0, bytes: 10 });
    conn.send('12345678901');
    expect(refused).toEqual(['slow_consumer']);
  });

  it('counts nothing a closing connection refuses to queue', async () => {
    const { conn, refused } = capped({ packets: 2, bytes: 4 });
    conn.writable = false;
    conn.send('ab');
    conn.send('cd');
    conn.readyState = 'closing';
    conn.send('too much');
    conn.send('and more');
    await nextTick();
    expect({ refused, closed: conn.closed, waiting: conn.writeBuffer.length }).toEqual({
      refused: [],
      closed: false,
      waiting: 2,
    });
  });

  it('refuses once, and leaves connections without caps alone', async () => {
    const { conn, refused } = capped({ packets: 1, bytes: 0 });
    const free = new FakeConnection();
    conn.writable = false;
    free.writable = false;
    for (let i = 0; i < 5; i += 1) {
      conn.send('x');
      free.send('x');
    }
    await nextTick();
    expect(refused).toEqual(['slow_consumer']);
    expect({ closed: free.closed, waiting: free.writeBuffer.length }).toEqual({
      closed: false,
      waiting: 5,
    });
  });
});
