import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { coalesceWrites } from './coalesced-writes.js';
import type { EngineSocket } from './limits/socket-types.js';

/** A transport as Engine.IO's WebSocket one looks to coalesceWrites; `log` is what the TCP socket saw. */
function transport(name = 'websocket') {
  const log: string[] = [];
  const tcp = { cork: () => log.push('cork'), uncork: () => log.push('uncork') };
  return {
    log,
    transport: {
      name,
      socket: { _socket: tcp },
      send(packets: string[]) {
        for (const packet of packets) log.push(`write ${packet}`);
      },
    },
  };
}

function connection(current: { transport: object }) {
  const conn = new EventEmitter() as EventEmitter & { transport: object };
  conn.transport = current.transport;
  return conn;
}

describe('coalesceWrites', () => {
  it('corks the TCP socket around a batch, so its frames leave in one write, in order', () => {
    const t = transport();
    coalesceWrites(connection(t) as unknown as EngineSocket);
    t.transport.send(['a', 'b', 'c']);
    expect(t.log).toEqual(['cork', 'write a', 'write b', 'write c', 'uncork']);
  });

  it('leaves a single packet alone', () => {
    const t = transport();
    coalesceWrites(connection(t) as unknown as EngineSocket);
    t.transport.send(['a']);
    expect(t.log).toEqual(['write a']);
  });

  it('uncorks when sending throws', () => {
    const t = transport();
    t.transport.send = () => {
      throw new Error('boom');
    };
    coalesceWrites(connection(t) as unknown as EngineSocket);
    expect(() => t.transport.send(['a', 'b'])).toThrow('boom');
    expect(t.log).toEqual(['cork', 'uncork']);
  });

  it('leaves long polling alone, and corks the WebSocket a connection upgrades to', () => {
    const polling = transport('polling');
    const conn = connection(polling);
    coalesceWrites(conn as unknown as EngineSocket);
    polling.transport.send(['a', 'b']);
    expect(polling.log).toEqual(['write a', 'write b']);

    const upgraded = transport();
    conn.emit('upgrade', upgraded.transport);
    upgraded.transport.send(['c', 'd']);
    expect(upgraded.log).toEqual(['cork', 'write c', 'write d', 'uncork']);
  });

  it('leaves a transport without a TCP socket to cork alone', () => {
    const t = transport();
    const bare = { ...t.transport, socket: {} };
    coalesceWrites(connection({ transport: bare }) as unknown as EngineSocket);
    bare.send(['a', 'b']);
    expect(t.log).toEqual(['write a', 'write b']);
  });
});

describe('coalesceWrites on a real Socket.IO server', () => {
  it('makes one write of what Engine.IO batched while a write was in flight', async () => {
    const http = createServer();
    const server = new Server(http, { transports: ['websocket'] });
    // What the TCP socket hands the system: one _write or _writev call per system call.
    let writes = 0;
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
          writes++;
          return write(...args);
        };
      }
    });
    server.on('connection', (socket) => {
      writes = 0;
      // The first is written at once; the rest wait for it, then leave as one batch.
      for (let i = 0; i < 20; i++) socket.emit('n', i);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
    const received: number[] = [];
    try {
      await new Promise<void>((resolve) =>
        client.on('n', (i: number) => {
          received.push(i);
          if (received.length === 20) resolve();
        }),
      );
      expect(received).toEqual([...Array(20).keys()]);
      // Without coalescing: a write per frame, 20 or more.
      expect(writes).toBeLessThanOrEqual(3);
    } finally {
      client.disconnect();
      await server.close();
    }
  });
});
