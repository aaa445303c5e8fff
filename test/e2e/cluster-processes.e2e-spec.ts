import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { MessageView } from '../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import {
  ChatClientEvent as C,
  ChatServerEvent as S,
  Namespace,
  NotificationServerEvent,
  PresenceClientEvent,
  PresenceServerEvent,
} from '../../src/realtime/events.js';
import { ok, record } from '../support/chat.js';
import { ProcessCluster, type ClusterUser } from '../support/process-cluster.js';
import {
  ChatReader,
  closeResilientSockets,
  connected,
  reconnectingSocket,
  sendOnce,
  sendUntilOk,
  sleep,
  steadily,
  waitUntil,
  type SendOutcome,
} from '../support/resilient-chat.js';
import { closeAllSockets, connect, emitAckWithin, nextEvent } from '../support/sockets.js';

// Real processes: two nodes (`node main.js` of a private build), one fresh PostgreSQL database,
// Redis under a unique prefix, each node behind its own TCP proxies to both (cut a proxy and that
// node sees its server restart), and a round-robin balancer in front. Needs PostgreSQL and Redis;
// .ci/run provides both.
const describeCluster = describeNeeding('cluster-processes', ['PostgreSQL', 'Redis']);

const PRESENCE_NODE_TTL_MS = 1500;
const DB_CONNECT_TIMEOUT_MS = 1500;
const DB_STATEMENT_TIMEOUT_MS = 2000;

describeCluster('a cluster of node processes', () => {
  const cluster = new ProcessCluster({
    DB_CONNECT_TIMEOUT_MS: String(DB_CONNECT_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: String(DB_STATEMENT_TIMEOUT_MS),
    PRESENCE_NODE_TTL_MS: String(PRESENCE_NODE_TTL_MS),
    PRESENCE_GRACE_MS: '200',
    SHUTDOWN_GRACE_MS: '5000',
  });
  const killAll = (): void => void cluster.nodes.map((n) => n.killNow());
  const [node1, node2] = [0, 1].map((i) => () => cluster.nodes[i]);

  beforeAll(async () => {
    process.once('exit', killAll);
    await cluster.start();
  }, 120_000);
  afterAll(async () => {
    closeAllSockets();
    closeResilientSockets();
    await cluster.stop();
    process.off('exit', killAll);
  }, 60_000);

  /** A test that prints every node's log when it fails. */
  const scenario = (name: string, fn: () => Promise<void>, timeoutMs = 60_000): void =>
    it(
      name,
      async () => {
        try {
          await cluster.allUp();
          await fn();
        } catch (error) {
          console.error(`${name}: failed; node logs follow\n${cluster.logs()}`);
          throw error;
        }
      },
      timeoutMs,
    );

  const socket = (node: () => { url: string }, user: ClusterUser, ns: string = Namespace.Chat) =>
    connect(node().url, ns, { token: user.token });

  scenario(
    'carries messages, typing, receipts, presence and notifications between users on different nodes',
    async () => {
      const [a, b] = [await cluster.user(node1()), await cluster.user(node2())];
      const chat = await cluster.group(a, [b]);
      const bPresence = await socket(node2, b, Namespace.Presence);
      const statuses = record<{ userId: string; status: string }>(
        bPresence,
        PresenceServerEvent.UserStatus,
      );
      const bNotes = await socket(node2, b, Namespace.Notifications);
      const notes = record<NotificationView>(bNotes, NotificationServerEvent.NewNotification);

      const sa = await socket(node1, a);
      await waitUntil(
        () => statuses.some((e) => e.userId === a.id && e.status === 'online'),
        5000,
        'b did not see a online',
      );
      await ok(sa, C.JoinChat, chat.id);
      // b has no socket joined to the chat: the message becomes b's notification, on node 2.
      await ok(sa, C.SendMessage, { chatId: chat.id, text: 'are you there?' });
      await waitUntil(() => notes.length > 0, 5000, 'no notification reached node 2');
      expect(notes.map((n) => n.kind)).toEqual(['message.new']);

      const sb = await socket(node2, b);
      const joined = nextEvent<{ userId: string }>(sa, S.ParticipantUpdate);
      await ok(sb, C.JoinChat, chat.id);
      expect((await joined).userId).toBe(b.id);

      const arrives = nextEvent<MessageView>(sb, S.NewMessage);
      const sent = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'hello' });
      expect((await arrives).id).toBe(sent.id);

      const typing = nextEvent<{ userId: string; isTyping: boolean }>(sa, S.UserTyping);
      await ok(sb, C.Typing, { chatId: chat.id, isTyping: true });
      expect(await typing).toMatchObject({ userId: b.id, isTyping: true });

      const receipt = nextEvent<{ userId: string; lastReadSeq: number }>(sa, S.MessagesRead);
      await ok(sb, C.ReadMessages, { chatId: chat.id, upToSeq: sent.seq });
      expect(await receipt).toMatchObject({ userId: b.id, lastReadSeq: sent.seq });

      for (const s of [sa, sb]) {
        const active = await ok<{ userIds: string[] }>(s, C.GetActiveUsers, { chatId: chat.id });
        expect(active.userIds.sort()).toEqual([a.id, b.id].sort());
      }

      sa.close();
      await waitUntil(
        () => statuses.some((e) => e.userId === a.id && e.status === 'offline'),
        5000,
        'b did not see a go offline',
      );
    },
  );

  scenario(
    "a killed node's clients reconnect to the other node and recover every message exactly once",
    async () => {
      const N = 40;
      const [a, b, c, watcher] = [
        await cluster.user(),
        await cluster.user(),
        await cluster.user(),
        await cluster.user(),
      ];
      const chat = await cluster.group(b, [a]);
      // a's reader comes in through the balancer and lands on node 1; when node 1 dies, the
      // balancer has only node 2 left for its automatic reconnection.
      cluster.balancer.pointAt(0);
      const reader = await ChatReader.open(cluster.balancer.url, a.token, chat.id);
      expect(cluster.balancer.picks.at(-1)).toBe(0);
      // c's only socket is on node 1; a watcher on node 2 follows c's presence.
      await socket(node1, c);
      const watching = await socket(node2, watcher, Namespace.Presence);
      const statuses = record<{ userId: string; status: string }>(
        watching,
        PresenceServerEvent.UserStatus,
      );
      await ok(watching, PresenceClientEvent.Subscribe, { userIds: [c.id] });
      await waitUntil(
        async () =>
          (await ok<{ status: string }>(watching, PresenceClientEvent.GetUser, { userId: c.id }))
            .status === 'online',
        5000,
        'c was not online',
      );

      const sender = await socket(node2, b);
      let killedAt = 0;
      const outcomes = await steadily(
        50,
        (i) => i < N,
        async (i) => {
          if (i === N / 4) {
            killedAt = Date.now();
            await node1().stop('SIGKILL');
          }
          return sendUntilOk(sender, chat.id, `kill-${i}`);
        },
      );
      expect(outcomes.filter((o) => o.result !== 'ok')).toEqual([]);

      await waitUntil(
        () => reader.contiguous === N,
        15_000,
        'the reader did not get every message',
      );
      expect(reader.conflicts).toEqual([]);
      expect([...reader.ids.keys()].sort((x, y) => x - y)).toEqual(range(1, N));
      expect(cluster.balancer.picks.at(-1)).toBe(1);
      expect(reader.disconnects.map((d) => d.reason)).toEqual(['transport close']);
      // Message N/4 was sent right after node 1 had died: the reader can only have recovered it.
      expect(reader.recovered).toBeGreaterThan(0);
      const reconnectedAfterMs = reader.connects[1] - killedAt;

      const { rows, lastSeq } = await cluster.stored(chat.id);
      expect(rows.map((r) => r.seq)).toEqual(range(1, N));
      expect(rows.map((r) => r.clientMessageId).sort()).toEqual(
        outcomes.map((o) => o.clientMessageId).sort(),
      );
      expect(lastSeq).toBe(N);

      // c's entry on node 1 is never removed by node 1; it runs out, and node 2 announces it.
      await waitUntil(
        () => statuses.some((e) => e.userId === c.id && e.status === 'offline'),
        4 * PRESENCE_NODE_TTL_MS + 2000,
        'c never went offline',
      );
      const offlineAfterMs = Date.now() - killedAt;
      console.info(
        `kill: reader reconnected after ${reconnectedAfterMs} ms and recovered ${reader.recovered} ` +
          `messages; c offline after ~${offlineAfterMs} ms`,
      );
    },
  );

  scenario(
    'answers every send with ok or UNAVAILABLE while PostgreSQL restarts, and loses or half-writes none',
    async () => {
      const senders = [await cluster.user(), await cluster.user(), await cluster.user()];
      const chat = await cluster.group(senders[0], senders.slice(1));
      const nodeOf = (i: number) => cluster.nodes[i % 2];
      const sockets = await Promise.all(senders.map((u, i) => socket(() => nodeOf(i), u)));
      const CUT_AFTER_MS = 800;
      const CUT_FOR_MS = 3000;
      const started = Date.now();
      const elapsed = () => Date.now() - started;
      const readiness: number[][] = [];
      const outage = (async () => {
        await sleep(CUT_AFTER_MS);
        await Promise.all(cluster.pgProxies.map((p) => p.stop()));
        await sleep(CUT_FOR_MS / 2);
        readiness.push(await Promise.all(cluster.nodes.map((n) => n.readyStatus())));
        await sleep(Math.max(0, CUT_AFTER_MS + CUT_FOR_MS - elapsed()));
        await Promise.all(cluster.pgProxies.map((p) => p.start()));
      })();
      const sendFor = CUT_AFTER_MS + CUT_FOR_MS + 1000;
      const outcomes = (
        await Promise.all(
          sockets.map((s, k) =>
            steadily(
              100,
              () => elapsed() < sendFor,
              (i) => sendOnce(s, chat.id, `pg-${k}-${i}`, 10_000),
            ),
          ),
        )
      ).flat();
      await outage;

      const byResult = countBy(outcomes.map((o) => o.result));
      const unavailable = outcomes.filter((o) => o.result === 'UNAVAILABLE');
      console.info(
        `postgres cut: ${JSON.stringify(byResult)}; slowest answer ${Math.max(...outcomes.map((o) => o.latencyMs))} ms, ` +
          `slowest UNAVAILABLE ${Math.max(0, ...unavailable.map((o) => o.latencyMs))} ms`,
      );
      expect(Object.keys(byResult).filter((r) => r !== 'ok' && r !== 'UNAVAILABLE')).toEqual([]);
      expect(unavailable.length).toBeGreaterThan(0);
      expect(Math.max(...outcomes.map((o) => o.latencyMs))).toBeLessThan(
        DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS + 1000,
      );
      expect(readiness).toEqual([[503, 503]]);

      // Without restarting anything, sends work again and the nodes are ready.
      for (const [k, s] of sockets.entries()) {
        expect((await sendOnce(s, chat.id, `pg-after-${k}`)).result).toBe('ok');
      }
      for (const node of cluster.nodes) {
        await waitUntil(
          async () => (await node.readyStatus()) === 200,
          5000,
          `${node.name} not ready`,
        );
      }

      const { rows, lastSeq } = await cluster.stored(chat.id);
      const stored = rows.map((r) => r.clientMessageId);
      expect(new Set(stored).size).toBe(stored.length);
      const acked = outcomes.filter((o) => o.result === 'ok').map((o) => o.clientMessageId);
      expect(acked.filter((id) => !stored.includes(id))).toEqual([]);
      const sent = new Set([
        ...outcomes.map((o) => o.clientMessageId),
        ...sockets.map((_, k) => `pg-after-${k}`),
      ]);
      expect(stored.filter((id) => !sent.has(id!))).toEqual([]);
      expect(rows.map((r) => r.seq)).toEqual(range(1, rows.length));
      expect(lastSeq).toBe(rows.length);
    },
  );

  scenario(
    "keeps serving each node's own sockets while Redis restarts, and resumes cross-node delivery after",
    async () => {
      const [p, q, r] = [await cluster.user(), await cluster.user(), await cluster.user()];
      const chat = await cluster.group(p, [q, r]);
      const [pOn1, qOn1, rOn2] = [
        await socket(node1, p),
        await socket(node1, q),
        await socket(node2, r),
      ];
      for (const s of [pOn1, qOn1, rOn2]) await ok(s, C.JoinChat, chat.id);
      const atQ = record<MessageView>(qOn1, S.NewMessage);
      const atR = record<MessageView>(rOn2, S.NewMessage);
      const first = await ok<MessageView>(pOn1, C.SendMessage, { chatId: chat.id, text: 'before' });
      await waitUntil(
        () => atR.some((m) => m.id === first.id),
        5000,
        'no cross-node delivery before the cut',
      );

      await Promise.all(cluster.redisProxies.map((proxy) => proxy.stop()));
      const cutAt = Date.now();
      // Sends go on from both nodes; each answers, and the node's own sockets get its messages.
      const during: SendOutcome[] = [];
      for (let i = 0; i < 5; i++) {
        during.push(await sendOnce(pOn1, chat.id, `redis-1-${i}`, 5000));
        during.push(await sendOnce(rOn2, chat.id, `redis-2-${i}`, 5000));
      }
      expect(during.map((o) => o.result)).toEqual(during.map(() => 'ok'));
      const localIds = during
        .filter((o) => o.clientMessageId.startsWith('redis-1-'))
        .map((o) => o.id);
      await waitUntil(
        () => localIds.every((id) => atQ.some((m) => m.id === id)),
        5000,
        'a node did not deliver to its own sockets',
      );
      // What needs the shared state answers UNAVAILABLE (or ok), promptly, never INTERNAL.
      const stateAcks = [
        await emitAckWithin(5000, pOn1, C.Typing, { chatId: chat.id, isTyping: true }),
        await emitAckWithin(5000, rOn2, C.GetActiveUsers, { chatId: chat.id }),
      ];
      expect(stateAcks.map((ack) => (ack.ok ? 'ok' : ack.error?.code))).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(ok|UNAVAILABLE)$/)]),
      );
      for (const ack of stateAcks) expect(ack.ok || ack.error?.code === 'UNAVAILABLE').toBe(true);
      expect(await Promise.all(cluster.nodes.map((n) => n.readyStatus()))).toEqual([503, 503]);
      await sleep(Math.max(0, 3000 - (Date.now() - cutAt)));

      await Promise.all(cluster.redisProxies.map((proxy) => proxy.start()));
      const restoredAt = Date.now();
      expect(cluster.nodes.map((n) => n.running)).toEqual([true, true]);
      for (const node of cluster.nodes) {
        await waitUntil(
          async () => (await node.readyStatus()) === 200,
          10_000,
          `${node.name} not ready`,
        );
      }
      // The subscribers reconnect and subscribe again: node 2 hears node 1's messages once more.
      let resumedAfterMs = -1;
      await waitUntil(
        async () => {
          const sent = await ok<MessageView>(pOn1, C.SendMessage, {
            chatId: chat.id,
            text: 'after',
          });
          await sleep(200);
          if (atR.some((m) => m.id === sent.id)) resumedAfterMs = Date.now() - restoredAt;
          return resumedAfterMs >= 0;
        },
        15_000,
        'cross-node delivery did not resume',
      );
      // Memberships ran out in Redis during the cut; each node puts its own back.
      let activeAfterMs = -1;
      await waitUntil(
        async () => {
          const active = await ok<{ userIds: string[] }>(rOn2, C.GetActiveUsers, {
            chatId: chat.id,
          });
          if (active.userIds.length === 3) activeAfterMs = Date.now() - restoredAt;
          return activeAfterMs >= 0;
        },
        5000,
        'getActiveUsers did not list every joined user again',
      );
      console.info(
        `redis cut: acks during it ${JSON.stringify(stateAcks)}; cross-node delivery back ${resumedAfterMs} ms after restore, every active user ${activeAfterMs} ms after`,
      );
    },
  );

  scenario(
    'a node stopped with SIGTERM exits 0 and its clients carry on from the other node',
    async () => {
      const N = 40;
      const [a, b] = [await cluster.user(), await cluster.user()];
      const chat = await cluster.group(a, [b]);
      // a's reader and a's sender come in through the balancer and land on node 1.
      cluster.balancer.pointAt(0);
      const reader = await ChatReader.open(cluster.balancer.url, a.token, chat.id);
      cluster.balancer.pointAt(0);
      const aSender = reconnectingSocket(cluster.balancer.url, Namespace.Chat, a.token);
      await connected(aSender);
      expect(cluster.balancer.picks.slice(-2)).toEqual([0, 0]);
      const senderDisconnects: string[] = [];
      aSender.on('disconnect', (reason) => senderDisconnects.push(reason));
      const bSender = await socket(node2, b);
      // a types through node 1; b, on node 2, must hear it stop when node 1 goes.
      await ok(bSender, C.JoinChat, chat.id);
      const typing = record<{ userId: string; isTyping: boolean }>(bSender, S.UserTyping);
      await ok(aSender, C.Typing, { chatId: chat.id, isTyping: true });
      await waitUntil(() => typing.length === 1, 5000, 'b did not see a typing');

      let stoppedAt = 0;
      let logBefore = 0;
      let exit:
        Promise<{ code: number | null; signal: string | null; afterMs: number }> | undefined;
      const outcomes = (
        await Promise.all([
          steadily(
            50,
            (i) => i < N / 2,
            async (i) => {
              if (i === N / 8) {
                logBefore = node1().logs().length;
                stoppedAt = Date.now();
                exit = node1()
                  .stop('SIGTERM')
                  .then((e) => ({ ...e, afterMs: Date.now() - stoppedAt }));
              }
              return sendUntilOk(aSender, chat.id, `term-a-${i}`);
            },
          ),
          steadily(
            50,
            (i) => i < N / 2,
            (i) => sendUntilOk(bSender, chat.id, `term-b-${i}`),
          ),
        ])
      ).flat();
      const exited = await exit!;
      expect(exited).toMatchObject({ code: 0, signal: null });
      // The work in flight finished before the database closed: nothing failed on the way out.
      const errors = node1()
        .logs()
        .slice(logBefore)
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line));
      expect(errors).toEqual([]);
      expect(outcomes.filter((o) => o.result !== 'ok')).toEqual([]);

      await waitUntil(
        () => reader.contiguous === N,
        15_000,
        'the reader did not get every message',
      );
      expect(reader.conflicts).toEqual([]);
      // Closed transports, not a server-side disconnect: the clients reconnected by themselves.
      expect(reader.disconnects.map((d) => d.reason)).toEqual(['transport close']);
      expect(senderDisconnects).toEqual(['transport close']);
      // The disconnect was handled while node 1 could still tell the others.
      await waitUntil(() => typing.length === 2, 5000, 'b did not see a stop typing');
      expect(typing.map((e) => [e.userId, e.isTyping])).toEqual([
        [a.id, true],
        [a.id, false],
      ]);
      expect(cluster.balancer.picks.slice(-2)).toEqual([1, 1]);

      const { rows, lastSeq } = await cluster.stored(chat.id);
      expect(rows.map((r) => r.seq)).toEqual(range(1, N));
      expect(rows.map((r) => r.clientMessageId).sort()).toEqual(
        outcomes.map((o) => o.clientMessageId).sort(),
      );
      expect(lastSeq).toBe(N);

      // The rolling restart goes on: node 1 comes back and takes its share of clients again.
      await node1().start();
      cluster.balancer.pointAt(0);
      const bOn1 = reconnectingSocket(cluster.balancer.url, Namespace.Chat, b.token);
      await connected(bOn1);
      expect(cluster.balancer.picks.at(-1)).toBe(0);
      await ok(bOn1, C.JoinChat, chat.id);
      const arrives = nextEvent<MessageView>(bOn1, S.NewMessage);
      const sent = await ok<MessageView>(aSender, C.SendMessage, { chatId: chat.id, text: 'back' });
      expect((await arrives).id).toBe(sent.id);

      const retried = outcomes.filter((o) => o.attempts > 1).length;
      console.info(
        `sigterm: exited ${exited.code} after ${exited.afterMs} ms; reader reconnected after ` +
          `${reader.connects[1] - stoppedAt} ms and recovered ${reader.recovered} messages; ` +
          `${retried} sends retried`,
      );
    },
  );
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
