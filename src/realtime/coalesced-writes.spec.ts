import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { coalesceWrites, holdWrites } from './coalesced-writes.js';
import type { EngineSocket } from './limits/socket-types.js';

/**
 * A transport as Engine.IO's WebSocket one looks to coalesceWrites, of a class of its own (the
 * class is what gets patched); `log` is what its TCP socket saw.
 */
function transport(name = 'websocket', o: { tcp?: boolean; fails?: boolean } = {}) {
  const log: string[] = [];
  class FakeTransport {
    socket =
      o.tcp === false
        ? {}
        : { _socket: { cork: () => log.push('cork'), uncork: () => log.push('uncork') } };
    get name() {
      return name;
    }
    send(packets: string[]) {
      if (o.fails) throw new Error('boom');
      for (const packet of packets) log.push(`write ${packet}`);
    }
  }
  return { log, transport: new FakeTransport(), FakeTransport };
}

function connection(current: { transport: object }) {
  const conn = new EventEmitter() as EventEmitter & { transport: object };
  conn.transport = current.transport;
  return conn;
}

const coalesce = (conn: EventEmitter) => coalesceWrites(conn as unknown as EngineSocket);

describe('coalesceWrites', () => {
  it('corks the TCP socket around a batch, so its frames leave in one write, in order', () => {
    const t = transport();
    coalesce(connection(t));
    t.transport.send(['a', 'b', 'c']);
    expect(t.log).toEqual(['cork', 'write a', 'write b', 'write c', 'uncork']);
  });

  it('leaves a single packet alone', () => {
    const t = transport();
    coalesce(connection(t));
    t.transport.send(['a']);
    expect(t.log).toEqual(['write a']);
  });

  it('changes the class once, and each connection holds nothing of its own', () => {
    const t = transport();
    coalesce(connection(t));
    const send = t.FakeTransport.prototype.send;
    const other = new t.FakeTransport();
    coalesce(connection({ transport: other }));
    expect(t.FakeTransport.prototype.send).toBe(send);
    expect(Object.keys(other)).toEqual(['socket']);
    other.send(['x', 'y']);
    expect(t.log).toEqual(['cork', 'write x', 'write y', 'uncork']);
  });

  it('uncorks when sending throws', () => {
    const t = transport('websocket', { fails: true });
    coalesce(connection(t));
    expect(() => t.transport.send(['a', 'b'])).toThrow('boom');
    expect(t.log).toEqual(['cork', 'uncork']);
  });

  it('leaves long polling alone, and corks the WebSocket a connection upgrades to', () => {
    const polling = transport('polling');
    const conn = connection(polling);
    coalesce(conn);
    polling.transport.send(['a', 'b']);
    expect(polling.log).toEqual(['write a', 'write b']);

    const upgraded = transport();
    conn.emit('upgrade', upgraded.transport);
    upgraded.transport.send(['c', 'd']);
    expect(upgraded.log).toEqual(['cork', 'write c', 'write d', 'uncork']);
  });

  it('leaves a transport without a TCP socket to cork alone', () => {
    const t = transport('websocket', { tcp: false });
    coalesce(connection(t));
    t.transport.send(['a', 'b']);
    expect(t.log).toEqual(['write a', 'write b']);
  });
});

/**
 * A Socket.IO server with coalesceWrites on, counting what each connection's TCP socket hands the
 * system: one _write or _writev call per system call.
 */
async function countingServer() {
  const http = createServer();
  const server = new Server(http, { transports: ['websocket'] });
  const writes = new Map<EngineSocket, number>();
  server.engine.on('connection', (conn: EngineSocket) => {
    coalesceWrites(conn);
    const tcp = (
      conn.transport as unknown as {
        socket: { _socket: Record<string, (...args: unknown[]) => unknown> };
      }
    ).socket._socket;
    for (const name of ['_write', '_writev']) {
      const write = tcp[name].bind(tcp);
      tcp[name] = (...args: unknown[]) => {
        writes.set(conn, (writes.get(conn) ?? 0) + 1);
        return write(...args);
      };
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const clients: ReturnType<typeof io>[] = [];
  return {
    server,
    writes,
    /** A client, connected, with what it has received of event 'n'. */
    async connect() {
      const client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
      clients.push(client);
      const received: number[] = [];
      client.on('n', (i: number) => received.push(i));
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      return { client, received };
    },
    async close() {
      for (const client of clients) client.disconnect();
      await server.close();
    },
  };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(done()).toBe(true);
};

describe('coalesceWrites on a real Socket.IO server', () => {
  it('makes one write of what Engine.IO batched while a write was in flight', async () => {
    const s = await countingServer();
    try {
      const { received } = await s.connect();
      s.writes.clear();
      // The first is written at once; the rest wait for it, then leave as one batch.
      for (let i = 0; i < 20; i++) s.server.emit('n', i);
      await until(() => received.length === 20);
      expect(received).toEqual([...Array(20).keys()]);
      // Without coalescing: a write per frame, 20 or more.
      const [writes] = s.writes.values();
      expect(writes).toBeLessThanOrEqual(3);
    } finally {
      await s.close();
    }
  });
});

describe('holdWrites', () => {
  it('sends what a task broadcast to each connection in one write, in order, then stops holding', async () => {
    const s = await countingServer();
    try {
      const clients = [await s.connect(), await s.connect()];
      s.writes.clear();
      holdWrites();
      for (let i = 0; i < 5; i++) s.server.emit('n', i);
      // Held: nothing has left yet.
      expect(s.writes.size).toBe(0);
      await until(() => clients.every(({ received }) => received.length === 5));
      for (const { received } of clients) expect(received).toEqual([0, 1, 2, 3, 4]);
      // Without the hold: the first broadcast at once, the other four as a batch after it.
      expect([...s.writes.values()]).toEqual([1, 1]);

      // The hold ended with the task: a later broadcast leaves at once.
      s.server.emit('n', 5);
      expect([...s.writes.values()]).toEqual([2, 2]);
      await until(() => clients.every(({ received }) => received.length === 6));
    } finally {
      await s.close();
    }
  });

  it('delivers what was sent before a disconnect made in the same task, then disconnects', async () => {
    const s = await countingServer();
    try {
      const { client, received } = await s.connect();
      const reason = new Promise<string>((resolve) => client.once('disconnect', resolve));
      const [socket] = s.server.of('/').sockets.values();
      holdWrites();
      socket.emit('n', 1);
      socket.emit('n', 2);
      socket.disconnect(true);
      expect(await reason).toBe('io server disconnect');
      expect(received).toEqual([1, 2]);
    } finally {
      await s.close();
    }
  });
});
