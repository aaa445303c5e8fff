/**
 * A load-generator process (forked by bench/run.mjs, one per core or as --workers says). It holds
 * socket.io-client connections in named groups and runs the operations the orchestrator asks for
 * over IPC: connect, emit once per socket, drive an event at a fixed offered rate, record
 * deliveries, reconnect-and-recover. Latencies are measured on the system-wide monotonic clock,
 * from the time an operation was *scheduled*, so a server that falls behind shows up as latency
 * instead of quietly lowering the load (no coordinated omission).
 */
import pg from 'pg';
import { io } from 'socket.io-client';
import { now, sleep } from './lib/clock.mjs';
import { signToken } from './lib/jwt.mjs';
import { fromDist } from './lib/servers.mjs';
import { Samples } from './lib/stats.mjs';

/**
 * @typedef {{ id: string, name?: string, role: string, chatId?: string, maxSeq?: number }} BenchUser
 * @typedef {{ socket: import('socket.io-client').Socket, user: BenchUser, joined?: boolean }} Entry
 */

/** @type {Map<string, Entry[]>} */
const groups = new Map();
/** Deliveries per step id (the `s<step>|` prefix of message texts), across this worker's groups. */
/** @type {Map<string, Samples>} */
const deliveries = new Map();
let unexpectedDisconnects = 0;

/**
 * Groups whose "sockets" are PostgreSQL queries (`connectDatabase`): only `load` and `close` see
 * them, so what reconnects, listens or counts sockets never meets one.
 * @type {Map<string, { entries: Entry[], end: () => Promise<void> }>}
 */
const databases = new Map();

/** @param {string} name */
function group(name) {
  const entries = groups.get(name);
  if (!entries) throw new Error(`no socket group ${name}`);
  return entries;
}

/** @param {Record<string, number>} counts @param {string} key */
function bump(counts, key) {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** @param {unknown} ack */
function ackCode(ack) {
  const value = /** @type {any} */ (ack);
  return value?.ok === true ? 'OK' : String(value?.error?.code ?? 'BAD_ACK');
}

/**
 * @param {{ url: string, token: string, localAddress?: string, timeoutMs: number, reconnection?: boolean }} o
 */
function openSocket(o) {
  return io(o.url, {
    forceNew: true,
    transports: ['websocket'],
    reconnection: o.reconnection ?? false,
    timeout: o.timeoutMs,
    auth: { token: o.token },
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  });
}

const ops = {
  /**
   * Connects one socket per user into `group`: at a fixed offered `rate` (connections/s, open
   * loop: handshake latency counts from the scheduled time) or, without a rate, as fast as
   * `concurrency` allows. Source addresses rotate over `localAddresses`.
   * @param {{ group: string, url: string, users: BenchUser[], secret: string, rate?: number,
   *   concurrency?: number, localAddresses?: string[], timeoutMs?: number, progressEvery?: number }} a
   */
  async connect(a) {
    const { users, rate } = a;
    const concurrency = a.concurrency ?? 200;
    const addresses = a.localAddresses ?? [];
    const handshake = new Samples(users.length + 1);
    // How late this process started each connection: when it grows, the generator is the limit.
    const startLag = new Samples(users.length + 1);
    /** @type {Entry[]} */
    const entries = [];
    /** @type {Record<string, number>} */
    const errors = {};
    let failed = 0;
    const t0 = now();
    await new Promise((resolve) => {
      if (users.length === 0) return resolve(undefined);
      const interval = rate ? 1000 / rate : 0;
      let next = 0;
      let inFlight = 0;
      let done = 0;
      /** @type {NodeJS.Timeout | null} */
      let timer = null;
      /** @param {number} i @param {number} scheduled */
      const start = (i, scheduled) => {
        inFlight += 1;
        startLag.push(now() - scheduled);
        const user = users[i];
        const socket = openSocket({
          url: a.url,
          token: signToken(user, a.secret),
          localAddress: addresses.length ? addresses[i % addresses.length] : undefined,
          timeoutMs: a.timeoutMs ?? 20_000,
        });
        let settled = false;
        /** @param {Error | null} error */
        const finish = (error) => {
          if (settled) return;
          settled = true;
          inFlight -= 1;
          done += 1;
          if (error) {
            failed += 1;
            bump(errors, error.message);
            socket.close();
          } else {
            handshake.push(now() - scheduled);
            entries.push({ socket, user });
            socket.on('disconnect', (reason) => {
              if (reason !== 'io client disconnect') unexpectedDisconnects += 1;
            });
          }
          if (a.progressEvery && done % a.progressEvery === 0) {
            process.send?.({ type: 'progress', group: a.group, done, failed });
          }
          if (done === users.length) resolve(undefined);
          else pump();
        };
        socket.once('connect', () => finish(null));
        socket.once('connect_error', (error) => finish(error));
      };
      const pump = () => {
        const t = now();
        while (next < users.length && inFlight < concurrency) {
          const scheduled = rate ? t0 + next * interval : t;
          if (scheduled > t) break;
          start(next, scheduled);
          next += 1;
        }
        if (rate && next < users.length && !timer) {
          timer = setTimeout(
            () => {
              timer = null;
              pump();
            },
            Math.max(1, t0 + next * interval - now()),
          );
        }
      };
      pump();
    });
    groups.set(a.group, [...(groups.get(a.group) ?? []), ...entries]);
    return {
      connected: entries.length,
      failed,
      errors,
      handshake: handshake.take(),
      startLag: startLag.take(),
      seconds: (now() - t0) / 1000,
    };
  },

  /**
   * Each socket of `group` emits `event` once and waits for its ack (`concurrency` at a time):
   * joinChat and the like before a measurement.
   * @param {{ group: string, event: string, payload: 'join' | 'join-since' | 'message' | object,
   *   limit?: number, concurrency?: number, retry?: boolean }} a
   */
  async emitEach(a) {
    const entries = group(a.group);
    /** @type {Record<string, number>} */
    const codes = {};
    const latency = new Samples(entries.length + 1);
    /** @type {Entry[]} */
    const again = [];
    /** @param {Entry} entry @param {boolean} retry */
    const emitOne = async (entry, retry) => {
      const { socket, user } = entry;
      const payload =
        a.payload === 'join'
          ? { chatId: user.chatId, limit: a.limit ?? 1 }
          : a.payload === 'join-since'
            ? { chatId: user.chatId, sinceSeq: user.maxSeq ?? 0, limit: a.limit ?? 50 }
            : a.payload === 'message'
              ? { chatId: user.chatId, text: 'sent while the other members were away' }
              : a.payload;
      const started = now();
      const ack = await socket
        .timeout(30_000)
        .emitWithAck(a.event, payload)
        .catch(() => null);
      latency.push(now() - started);
      const code = ack === null ? 'TIMEOUT' : ackCode(ack);
      // Setup, not measurement: a refusal for being busy (UNAVAILABLE) gets one more try later.
      if (retry && code !== 'OK') again.push(entry);
      else bump(codes, code);
      // A joined socket the server drops is joined again when it is revived.
      if (a.event === 'joinChat' && code === 'OK') entry.joined = true;
    };
    let next = 0;
    const one = async () => {
      while (next < entries.length) await emitOne(entries[next++], a.retry ?? false);
    };
    await Promise.all(Array.from({ length: Math.min(a.concurrency ?? 50, entries.length) }, one));
    if (again.length) await sleep(1000);
    for (const entry of again) await emitOne(entry, false);
    return { codes, latency: latency.take(), retried: again.length };
  },

  /**
   * Records, per step, how long each `newMessage` took from its sender's scheduled time (the
   * text starts `s<step>|<monotonic ms>|`) to arrival here.
   * @param {{ group: string }} a
   */
  listen(a) {
    for (const { socket } of group(a.group)) {
      socket.on('newMessage', (message) => {
        const text = message?.text;
        if (typeof text !== 'string' || text.charCodeAt(0) !== 115 /* s */) return;
        const bar = text.indexOf('|');
        const bar2 = text.indexOf('|', bar + 1);
        const step = text.slice(1, bar);
        let samples = deliveries.get(step);
        if (!samples) deliveries.set(step, (samples = new Samples(4096)));
        samples.push(now() - Number(text.slice(bar + 1, bar2)));
      });
    }
    return {};
  },

  /** How many deliveries of `step` have arrived so far. @param {{ step: string }} a */
  delivered(a) {
    return { count: deliveries.get(a.step)?.length ?? 0 };
  },

  /** Deliveries recorded for `step`, forgotten afterwards. @param {{ step: string }} a */
  collect(a) {
    const samples = deliveries.get(a.step);
    deliveries.delete(a.step);
    return { latency: samples ? samples.take() : new Float64Array(0) };
  },

  /**
   * Emits `kind` at a fixed offered `rate` (per second) for `durationMs`, round-robin over the
   * sockets of `group`, whatever the server answers; then waits up to `drainMs` for late acks.
   * Ack latency counts from each emit's scheduled time; `emitLag` is how late this process was
   * in emitting (large values mean the generator, not the server, is the bottleneck). The same
   * load runs for `leadInMs` first, unrecorded (its messages' texts start with `w`, which no
   * listener records): see LEAD_IN_MS in lib/measure.mjs.
   * @param {{ group: string, kind: 'typing' | 'send' | 'history' | 'whoami', rate: number,
   *   durationMs: number, drainMs: number, step: string, textBytes?: number, limit?: number,
   *   startAt?: number, leadInMs?: number }} a
   */
  async load(a) {
    const entries = (databases.get(a.group)?.entries ?? group(a.group)).filter(
      (e) => e.socket.connected,
    );
    if (entries.length === 0) throw new Error(`group ${a.group} has no connected socket`);
    const interval = 1000 / a.rate;
    const leadIn = Math.round((a.rate * (a.leadInMs ?? 0)) / 1000);
    const total = leadIn + Math.max(1, Math.round((a.rate * a.durationMs) / 1000));
    const latency = new Samples(total + 1);
    const emitLag = new Samples(total + 1);
    /** @type {Record<string, number>} */
    const codes = {};
    const pad = 'x'.repeat(Math.max(0, (a.textBytes ?? 100) - 24));
    const prefix = `${process.pid}-${a.step}-`;
    let pending = 0;
    let unsent = 0;
    let closed = false;
    let lastAckAt = 0;
    /** @type {(() => void) | null} */
    let drained = null;
    const t0 = Math.max(a.startAt ?? 0, now() + 2);
    /** @param {Entry} entry @param {number} scheduled @param {number} i */
    const payloadOf = (entry, scheduled, i) => {
      const chatId = entry.user.chatId;
      switch (a.kind) {
        case 'typing':
          return { chatId, isTyping: true };
        case 'whoami':
          return {};
        case 'send':
          return {
            chatId,
            text: `${i < leadIn ? 'w' : 's'}${a.step}|${scheduled.toFixed(3)}|${pad}`,
            clientMessageId: prefix + i,
          };
        case 'history': {
          const top = entry.user.maxSeq ?? 1;
          return { chatId, before: 2 + Math.floor(Math.random() * top), limit: a.limit ?? 50 };
        }
      }
    };
    const event = {
      typing: 'typing',
      whoami: 'whoami',
      send: 'sendMessage',
      history: 'getMessages',
    }[a.kind];
    /** @param {number} i @param {number} scheduled @param {number} t */
    const fire = (i, scheduled, t) => {
      const entry = entries[i % entries.length];
      const recorded = i >= leadIn;
      if (recorded) emitLag.push(t - scheduled);
      // A socket the server dropped takes nothing (socket.io-client would buffer every emit and
      // send them all at once on reconnecting): its share counts as lost, unanswered.
      if (!entry.socket.connected) {
        if (recorded) unsent += 1;
        return;
      }
      pending += 1;
      entry.socket.emit(event, payloadOf(entry, scheduled, i), (/** @type {unknown} */ ack) => {
        if (closed) return;
        pending -= 1;
        if (!recorded) {
          if (drained && pending === 0) drained();
          return;
        }
        const at = now();
        const code = ackCode(ack);
        bump(codes, code);
        if (code === 'OK') {
          latency.push(at - scheduled);
          lastAckAt = at;
        }
        if (drained && pending === 0) drained();
      });
    };
    await new Promise((resolve) => {
      let i = 0;
      const tick = () => {
        const t = now();
        while (i < total && t0 + i * interval <= t) {
          fire(i, t0 + i * interval, t);
          i += 1;
        }
        if (i >= total) return resolve(undefined);
        setTimeout(tick, Math.max(0, Math.min(1, t0 + i * interval - now())));
      };
      setTimeout(tick, Math.max(0, t0 - now()));
    });
    const sentAt = now();
    // What is reported starts after the lead-in.
    const from = t0 + leadIn * interval;
    if (pending > 0) {
      await Promise.race([
        new Promise((resolve) => (drained = () => resolve(undefined))),
        sleep(a.drainMs),
      ]);
    }
    closed = true;
    const ok = codes.OK ?? 0;
    return {
      offered: total - leadIn,
      ok,
      lost: pending + unsent,
      codes,
      latency: latency.take(),
      emitLag: emitLag.take(),
      startedAt: from,
      sendSeconds: (sentAt - from) / 1000,
      // Throughput: answered acks over the time until the last one (at least the offered window).
      achieved: ok / (Math.max(a.durationMs, (lastAckAt || sentAt) - from) / 1000),
    };
  },

  /**
   * Recovery: at monotonic time `startAt`, every client opens a new socket at once (reconnecting
   * with backoff if refused) and calls joinChat with the last seq it saw; a client is recovered
   * when the ack holds exactly seqs sinceSeq+1 … sinceSeq+expect. Times count from `startAt`.
   * @param {{ group: string, url: string, secret: string, clients: (BenchUser & { sinceSeq: number,
   *   expect: number })[], startAt: number, deadlineMs: number, localAddresses?: string[],
   *   limit: number }} a
   */
  async recover(a) {
    const done = new Samples(a.clients.length + 1);
    const connected = new Samples(a.clients.length + 1);
    /** @type {Record<string, number>} */
    const codes = {};
    let missing = 0;
    let extra = 0;
    let connectErrors = 0;
    let retries = 0;
    let finished = 0;
    /** @type {boolean[]} */
    const recoveredAt = [];
    /** @type {Entry[]} */
    const entries = [];
    await sleep(Math.max(0, a.startAt - now()));
    const addresses = a.localAddresses ?? [];
    await new Promise((resolve) => {
      const deadline = setTimeout(() => resolve(undefined), a.deadlineMs);
      a.clients.forEach((client, i) => {
        const socket = openSocket({
          url: a.url,
          token: signToken(client, a.secret),
          localAddress: addresses.length ? addresses[i % addresses.length] : undefined,
          timeoutMs: a.deadlineMs,
          reconnection: true,
        });
        entries.push({ socket, user: client });
        let recovered = false;
        socket.on('connect_error', () => (connectErrors += 1));
        socket.once('connect', () => connected.push(now() - a.startAt));
        const join = () => {
          if (recovered || !socket.connected) return;
          socket
            .timeout(a.deadlineMs)
            .emitWithAck('joinChat', {
              chatId: client.chatId,
              sinceSeq: client.sinceSeq,
              limit: a.limit,
            })
            .then(
              (ack) => {
                const code = ackCode(ack);
                bump(codes, code);
                if (recovered) return;
                if (code !== 'OK') {
                  // What a client does with UNAVAILABLE: try again a little later.
                  retries += 1;
                  setTimeout(join, 500 + Math.random() * 1000);
                  return;
                }
                recovered = true;
                recoveredAt[i] = true;
                const seqs = new Set(
                  (ack.data.messages ?? []).map((/** @type {any} */ m) => m.seq),
                );
                for (let s = client.sinceSeq + 1; s <= client.sinceSeq + client.expect; s++) {
                  if (!seqs.has(s)) missing += 1;
                }
                extra += Math.max(0, seqs.size - client.expect);
                done.push(now() - a.startAt);
                finished += 1;
                if (finished === a.clients.length) {
                  clearTimeout(deadline);
                  resolve(undefined);
                }
              },
              () => bump(codes, 'TIMEOUT'),
            );
        };
        socket.on('connect', join);
      });
    });
    groups.set(a.group, entries);
    // A client that never recovered missed everything it was owed.
    const owed = a.clients.reduce((n, c, i) => n + (recoveredAt[i] ? 0 : c.expect), 0);
    return {
      recovered: finished,
      unrecovered: a.clients.length - finished,
      missing: missing + owed,
      extra,
      connectErrors,
      retries,
      codes,
      latency: done.take(),
      connectLatency: connected.take(),
    };
  },

  /**
   * Reconnects every socket of this worker's groups that the server closed, and joins again those
   * that had joined their chat (their listeners stay on the socket), so the steps after a step
   * that lost clients (senders or receivers) measure the same clients as before. One that does not
   * come back within `timeoutMs` is closed, not left to connect later unjoined.
   * @param {{ timeoutMs?: number }} a
   */
  async revive(a) {
    const timeoutMs = a.timeoutMs ?? 20_000;
    const lost = [...groups.values()].flat().filter((e) => !e.socket.connected);
    /** @type {Record<string, number>} */
    const errors = {};
    const back = await Promise.all(
      lost.map(
        (entry) =>
          new Promise((resolve) => {
            const { socket } = entry;
            let settled = false;
            const timer = setTimeout(() => done('TIMEOUT'), timeoutMs);
            /** @param {string | null} error */
            const done = (error) => {
              if (settled) return;
              settled = true;
              clearTimeout(timer);
              socket.off('connect', onConnect);
              socket.off('connect_error', onError);
              if (error) {
                bump(errors, error);
                socket.disconnect();
              }
              resolve(error === null);
            };
            const onConnect = () => {
              if (!entry.joined) return done(null);
              socket
                .timeout(timeoutMs / 2)
                .emitWithAck('joinChat', { chatId: entry.user.chatId, limit: 1 })
                .then(
                  (ack) => done(ackCode(ack) === 'OK' ? null : `joinChat ${ackCode(ack)}`),
                  () => done('joinChat TIMEOUT'),
                );
            };
            const onError = (/** @type {Error} */ error) => done(error.message);
            socket.once('connect', onConnect);
            socket.once('connect_error', onError);
            // Nothing emitted while it was gone is sent again (that step counted it as lost), and
            // its acks, which would keep that step's samples alive, go with it.
            const acks = /** @type {any} */ (socket).acks;
            for (const packet of socket.sendBuffer) delete acks[/** @type {any} */ (packet).id];
            socket.sendBuffer.length = 0;
            socket.connect();
          }),
      ),
    );
    const revived = back.filter(Boolean).length;
    return { revived, failed: lost.length - revived, errors };
  },

  /**
   * A group whose "sockets" (one per user) share one pool of `connections` PostgreSQL connections,
   * lent as the app's pool lends them (the most recently released first): an emit runs `sql` with
   * the payload's fields named by `params` as its parameters, its timestamps left as text as the
   * app reads them, and acks OK (or the error's code) when the rows are in. So `load` drives the
   * database alone as it drives a server (history's floor).
   * @param {{ group: string, url: string, sql: string, params: string[], users: BenchUser[],
   *   connections: number }} a
   */
  async connectDatabase(a) {
    const pool = new pg.Pool({ connectionString: a.url, max: a.connections });
    // A connection that breaks while idle is replaced by the pool; a query on it fails its step.
    pool.on('error', () => undefined);
    // Every connection opened up front, not by the first emits; on any failure, none kept.
    const opened = await Promise.allSettled(
      Array.from({ length: a.connections }, () => pool.connect()),
    );
    for (const result of opened) if (result.status === 'fulfilled') result.value.release();
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) {
      await pool.end().catch(() => undefined);
      throw failed.reason;
    }
    // The app's type parsers for a statement marked timestampsAsText (timestamps as text).
    const { timestampsAsText, typesOf } = await fromDist('src', 'database', 'timestamps.js');
    const types = typesOf(timestampsAsText(a.sql));
    /** @type {Entry[]} */
    const entries = a.users.map((user) => {
      const socket = {
        connected: true,
        /** @param {string} _event @param {Record<string, unknown>} payload @param {(ack: unknown) => void} ack */
        emit(_event, payload, ack) {
          const values = a.params.map((name) => payload[name]);
          pool.query({ name: 'floor', text: a.sql, values, types }).then(
            () => ack({ ok: true }),
            (/** @type {any} */ error) => ack({ ok: false, error: { code: error?.code ?? 'DB' } }),
          );
        },
        disconnect() {
          socket.connected = false;
        },
      };
      // Only what `load` and `close` use of a socket.
      return { socket: /** @type {any} */ (socket), user };
    });
    databases.set(a.group, { entries, end: () => pool.end() });
    return { connected: entries.length };
  },

  /** Disconnects every socket of `group`. @param {{ group: string }} a */
  async close(a) {
    const database = databases.get(a.group);
    if (database) {
      databases.delete(a.group);
      for (const { socket } of database.entries) socket.disconnect();
      await database.end();
      return { closed: database.entries.length };
    }
    const entries = groups.get(a.group) ?? [];
    groups.delete(a.group);
    for (const { socket } of entries) socket.disconnect();
    await sleep(entries.length ? 200 : 0);
    return { closed: entries.length };
  },

  /** Disconnects every group's sockets: what a scenario that failed half-way left behind. */
  async closeAll() {
    let closed = 0;
    for (const name of [...groups.keys(), ...databases.keys()])
      closed += (await ops.close({ group: name })).closed;
    return { closed };
  },

  /** How many sockets this worker holds, and how many dropped without being asked to. */
  status() {
    let connected = 0;
    let total = 0;
    for (const entries of groups.values()) {
      for (const { socket } of entries) {
        total += 1;
        if (socket.connected) connected += 1;
      }
    }
    return { total, connected, unexpectedDisconnects };
  },
};

process.on('message', (/** @type {any} */ message) => {
  const { id, op, args } = message;
  const run = /** @type {Record<string, (a: any) => unknown>} */ (ops)[op];
  Promise.resolve()
    .then(() => {
      if (!run) throw new Error(`unknown operation ${op}`);
      return run(args);
    })
    .then(
      (result) => process.send?.({ id, ok: true, result }),
      (error) => process.send?.({ id, ok: false, error: String(error?.stack ?? error) }),
    );
});
// The orchestrator went away: stop, whatever we were doing.
process.on('disconnect', () => process.exit(0));
