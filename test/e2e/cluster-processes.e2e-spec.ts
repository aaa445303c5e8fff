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
import { ok, record, settle, waitUntil } from '../support/chat.js';
import { ProcessCluster, type ClusterUser } from '../support/process-cluster.js';
import {
  ChatReader,
  closeResilientSockets,
  connected,
  reconnectingSocket,
  sendOnce,
  sendUntilOk,
  steadily,
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
          // A test that failed during a cut must not leave the next one without its services.
          await Promise.all([...cluster.pgProxies, ...cluster.redisProxies].map((p) => p.start()));
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
      const onNode1 = [await cluster.user(), await cluster.user(), await cluster.user()];
      const chat = await cluster.group(b, [a, ...onNode1]);
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

      // Senders on node 1 send back to back, two sends in flight per user, so that sends are in
      // flight there when it dies; each send's first outcome is what a client would have seen.
      const node1Sockets = await Promise.all(onNode1.map((u) => socket(node1, u)));
      let killedAt = 0;
      const firstOutcomes: SendOutcome[] = [];
      const sendOnNode1 = async (k: number, lane: number): Promise<void> => {
        for (let i = 0; ; i++) {
          const outcome = await sendOnce(
            node1Sockets[k],
            chat.id,
            `kill-n1-${k}-${lane}-${i}`,
            3000,
          );
          firstOutcomes.push(outcome);
          if (outcome.result !== 'ok') return; // node 1 is gone: the rest go through node 2
        }
      };
      const node1Sending = Promise.all(
        onNode1.flatMap((_, k) => [0, 1].map((lane) => sendOnNode1(k, lane))),
      );

      const sender = await socket(node2, b);
      const outcomes = await steadily(
        50,
        (i) => i < N,
        async (i) => {
          if (i === N / 4) {
            await waitUntil(
              () => firstOutcomes.filter((o) => o.result === 'ok').length >= 30,
              10_000,
              'node 1 did not take sends',
            );
            killedAt = Date.now();
            await node1().stop('SIGKILL');
          }
          return sendUntilOk(sender, chat.id, `kill-${i}`);
        },
      );
      await node1Sending;
      expect(outcomes.filter((o) => o.result !== 'ok')).toEqual([]);

      // Whatever node 1 did not acknowledge is retried through node 2 with the same id.
      const retriedOnNode2 = await Promise.all(
        onNode1.map(async (u, k) => {
          const s = await socket(node2, u);
          const mine = firstOutcomes.filter(
            (o) => o.result !== 'ok' && o.clientMessageId.startsWith(`kill-n1-${k}-`),
          );
          return Promise.all(mine.map((o) => sendUntilOk(s, chat.id, o.clientMessageId)));
        }),
      );
      expect(retriedOnNode2.flat().filter((o) => o.result !== 'ok')).toEqual([]);
      const firstResults = countBy(firstOutcomes.map((o) => o.result));
      expect(Object.keys(firstResults).sort()).toEqual(
        expect.arrayContaining(['ok', 'disconnected']),
      );
      expect(
        Object.keys(firstResults).filter((r) => !/^(ok|timeout|disconnected)$/.test(r)),
      ).toEqual([]);

      const { rows, lastSeq } = await cluster.stored(chat.id);
      const total = rows.length;
      const stored = rows.map((r) => r.clientMessageId);
      // What was acknowledged is stored; nothing is stored that nobody sent; each send once.
      const acked = [...outcomes, ...firstOutcomes]
        .filter((o) => o.result === 'ok')
        .map((o) => o.clientMessageId);
      expect(acked.filter((id) => !stored.includes(id))).toEqual([]);
      const sent = new Set([...outcomes, ...firstOutcomes].map((o) => o.clientMessageId));
      expect(stored.filter((id) => !sent.has(id!))).toEqual([]);
      expect(new Set(stored).size).toBe(total);
      // Every send was acknowledged in the end, so every one is stored.
      expect(total).toBe(sent.size);
      expect(rows.map((r) => r.seq)).toEqual(range(1, total));
      expect(lastSeq).toBe(total);

      await waitUntil(
        () => reader.contiguous === total,
        15_000,
        'the reader did not get every message',
      );
      expect(reader.conflicts).toEqual([]);
      expect([...reader.ids.keys()].sort((x, y) => x - y)).toEqual(range(1, total));
      expect(cluster.balancer.picks.at(-1)).toBe(1);
      expect(reader.disconnects.map((d) => d.reason)).toEqual(['transport close']);
      // Message N/4 was sent right after node 1 had died: the reader can only have recovered it.
      expect(reader.recovered).toBeGreaterThan(0);
      const reconnectedAfterMs = reader.connects[1] - killedAt;

      // c's entry on node 1 is never removed by node 1; it runs out, and node 2 announces it.
      await waitUntil(
        () => statuses.some((e) => e.userId === c.id && e.status === 'offline'),
        4 * PRESENCE_NODE_TTL_MS + 2000,
        'c never went offline',
      );
      const offlineAfterMs = Date.now() - killedAt;
      console.info(
        `kill: node-1 first outcomes ${JSON.stringify(firstResults)}; ${total} stored; ` +
          `reader reconnected after ${reconnectedAfterMs} ms and recovered ${reader.recovered} ` +
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
      const duringCut: { event: string; answer: string }[] = [];
      let terminated = 0;
      const outage = (async () => {
        await settle(CUT_AFTER_MS);
        // A server going down: it ends every session (57P01 admin shutdown), then refuses.
        terminated = (
          await cluster.db.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [cluster.databaseName],
          )
        ).rowCount!;
        await Promise.all(cluster.pgProxies.map((p) => p.stop()));
        await settle(CUT_FOR_MS / 2);
        readiness.push(await Promise.all(cluster.nodes.map((n) => n.readyStatus())));
        // A read and another write answer UNAVAILABLE too.
        for (const [k, s] of sockets.entries()) {
          for (const [event, payload] of [
            [C.GetMessages, { chatId: chat.id, limit: 10 }],
            [C.ReadMessages, { chatId: chat.id, upToSeq: 1 }],
          ] as const) {
            const ack = await emitAckWithin(5000, s, event, payload);
            duringCut.push({ event: `${event}@${k}`, answer: ack.ok ? 'ok' : ack.error!.code });
          }
        }
        await settle(Math.max(0, CUT_AFTER_MS + CUT_FOR_MS - elapsed()));
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
          `slowest UNAVAILABLE ${Math.max(0, ...unavailable.map((o) => o.latencyMs))} ms; ` +
          `${terminated} server sessions terminated`,
      );
      expect(Object.keys(byResult).filter((r) => r !== 'ok' && r !== 'UNAVAILABLE')).toEqual([]);
      expect(unavailable.length).toBeGreaterThan(0);
      expect(Math.max(...outcomes.map((o) => o.latencyMs))).toBeLessThan(
        DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS + 1000,
      );
      expect(readiness).toEqual([[503, 503]]);
      expect(terminated).toBeGreaterThan(0);
      expect(duringCut.filter((a) => a.answer !== 'UNAVAILABLE')).toEqual([]);

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
      for (const s of sockets) {
        const page = await ok<{ items: MessageView[] }>(s, C.GetMessages, {
          chatId: chat.id,
          limit: 10,
        });
        expect(page.items.length).toBeGreaterThan(0);
        await ok(s, C.ReadMessages, { chatId: chat.id, upToSeq: page.items.at(-1)!.seq });
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

  for (const lostData of [false, true]) {
    scenario(
      lostData
        ? 'comes back with presence and active users after Redis restarts without its data'
        : "keeps serving each node's own sockets while Redis restarts, and resumes cross-node delivery after",
      async () => {
        const [p, q, r, w] = [
          await cluster.user(),
          await cluster.user(),
          await cluster.user(),
          await cluster.user(),
        ];
        const chat = await cluster.group(p, [q, r, w]);
        const [pOn1, qOn1, rOn2] = [
          await socket(node1, p),
          await socket(node1, q),
          await socket(node2, r),
        ];
        for (const s of [pOn1, qOn1, rOn2]) await ok(s, C.JoinChat, chat.id);
        // w, on node 2, only watches presence.
        const watcher = await socket(node2, w, Namespace.Presence);
        const atQ = record<MessageView>(qOn1, S.NewMessage);
        const atR = record<MessageView>(rOn2, S.NewMessage);
        const first = await ok<MessageView>(pOn1, C.SendMessage, {
          chatId: chat.id,
          text: 'before',
        });
        await waitUntil(
          () => atR.some((m) => m.id === first.id),
          5000,
          'no cross-node delivery before the cut',
        );

        await Promise.all(cluster.redisProxies.map((proxy) => proxy.stop()));
        const cutAt = Date.now();
        // A Redis that restarts without its data: this suite's keys, and only those, are gone.
        const deletedKeys = lostData ? await cluster.deleteRedisKeys() : 0;
        if (lostData) expect(deletedKeys).toBeGreaterThan(0);
        // Sends go on from both nodes under load; each answers ok, and the node's own sockets
        // get its messages.
        const CUT_FOR_MS = 3000;
        const sendingFor = CUT_FOR_MS - 1000;
        const stateAcks: { event: string; answer: string }[] = [];
        const answer = (ack: { ok: boolean; error?: { code: string } }): string =>
          ack.ok ? 'ok' : ack.error!.code;
        const [during] = await Promise.all([
          Promise.all(
            [pOn1, qOn1, rOn2].map((s, k) =>
              steadily(
                25,
                () => Date.now() - cutAt < sendingFor,
                (i) => sendOnce(s, chat.id, `redis-${lostData}-${k}-${i}`, 5000),
              ),
            ),
          ).then((o) => o.flat()),
          // Meanwhile, what needs the shared state answers UNAVAILABLE, every time, promptly.
          steadily(
            200,
            () => Date.now() - cutAt < sendingFor,
            async () => {
              for (const [s, event, payload] of [
                [pOn1, C.GetActiveUsers, { chatId: chat.id }],
                [rOn2, C.GetActiveUsers, { chatId: chat.id }],
                [watcher, PresenceClientEvent.GetUser, { userId: p.id }],
              ] as const) {
                stateAcks.push({
                  event,
                  answer: answer(await emitAckWithin(2000, s, event, payload)),
                });
              }
              // typing is acked and announced on the node only.
              stateAcks.push({
                event: C.Typing,
                answer: answer(
                  await emitAckWithin(2000, pOn1, C.Typing, { chatId: chat.id, isTyping: true }),
                ),
              });
            },
          ),
        ]);
        expect(during.filter((o) => o.result !== 'ok')).toEqual([]);
        const sentByP = during.filter((o) => /-0-\d+$/.test(o.clientMessageId));
        await waitUntil(
          () => sentByP.every((o) => atQ.some((m) => m.id === o.id)),
          5000,
          'node 1 did not deliver to its own sockets',
        );
        expect(
          stateAcks.filter((a) => a.answer !== (a.event === C.Typing ? 'ok' : 'UNAVAILABLE')),
        ).toEqual([]);
        expect(await Promise.all(cluster.nodes.map((n) => n.readyStatus()))).toEqual([503, 503]);
        await settle(Math.max(0, CUT_FOR_MS - (Date.now() - cutAt)));

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
            await waitUntil(() => atR.some((m) => m.id === sent.id), 300, 'not yet').catch(
              () => undefined,
            );
            if (atR.some((m) => m.id === sent.id)) resumedAfterMs = Date.now() - restoredAt;
            return resumedAfterMs >= 0;
          },
          15_000,
          'cross-node delivery did not resume',
        );
        // Memberships ran out (or were lost) in Redis during the cut; each node puts its own back.
        let activeAfterMs = -1;
        await waitUntil(
          async () => {
            const active = await ok<{ userIds: string[] }>(rOn2, C.GetActiveUsers, {
              chatId: chat.id,
            });
            if (active.userIds.sort().join() === [p.id, q.id, r.id].sort().join()) {
              activeAfterMs = Date.now() - restoredAt;
            }
            return activeAfterMs >= 0;
          },
          5000,
          'getActiveUsers did not list every joined user again',
        );
        let onlineAfterMs = -1;
        await waitUntil(
          async () => {
            for (const u of [p, q, r]) {
              const view = await ok<{ status: string }>(watcher, PresenceClientEvent.GetUser, {
                userId: u.id,
              });
              if (view.status !== 'online') return false;
            }
            onlineAfterMs = Date.now() - restoredAt;
            return true;
          },
          5000,
          'getUser did not answer online for every connected user again',
        );
        console.info(
          `redis cut${lostData ? ` (${deletedKeys} keys lost)` : ''}: ${during.length} sends ok ` +
            `during it, ${stateAcks.length} state acks as expected; cross-node delivery back ` +
            `${resumedAfterMs} ms after restore, every active user ${activeAfterMs} ms, ` +
            `everyone online ${onlineAfterMs} ms`,
        );
      },
    );
  }

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
