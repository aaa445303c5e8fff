import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { PresenceService } from '../../src/modules/presence/presence.service.js';
import {
  Namespace,
  PresenceClientEvent as C,
  PresenceServerEvent as S,
} from '../../src/realtime/events.js';
import { NodeMemberships } from '../../src/state/node-memberships.js';
import { ok, record, waitUntil } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { tokenFor, uniqueId } from '../support/tokens.js';
import { closeAllSockets, connect } from '../support/sockets.js';

// Two nodes sharing presence through Redis (each with its own database: presence needs none to
// be shared here, as the watcher subscribes explicitly). Needs Redis; .ci/run sets REDIS_URL.
const describeRedis = describeNeeding('presence-nodes', ['Redis']);

type UserStatus = { userId: string; status: string; lastSeen: string | null };

const user = (name: string) => {
  const id = uniqueId(name);
  return { id, token: tokenFor({ id, role: 'CLIENT' }) };
};

describeRedis('presence across nodes', () => {
  // Two databases, one Redis keyspace: the nodes share presence, nothing else.
  const env = {
    PRESENCE_NODE_TTL_MS: '600',
    PRESENCE_GRACE_MS: '100',
    REDIS_KEY_PREFIX: `t:presence-nodes:${process.pid}:`,
  };
  let node1: TestApp, node2: TestApp;

  beforeAll(async () => {
    [node1, node2] = [await createTestApp({ env }), await createTestApp({ env })];
  });
  afterAll(async () => {
    closeAllSockets();
    await node1?.close();
    await node2?.close();
  });

  it('sees a user online through another node, and offline with lastSeen once that node dies', async () => {
    // Over sockets only: passport's strategy registry is per process, so REST in a process with
    // two apps would authenticate through the last one.
    const [a, b] = [user('a'), user('b')];
    const watcher = await connect(node1.url, Namespace.Presence, { token: b.token });
    const seen = record<UserStatus>(watcher, S.UserStatus);
    await ok(watcher, C.Subscribe, { userIds: [a.id] });
    await connect(node2.url, Namespace.Chat, { token: a.token });
    await waitUntil(() => seen.length > 0, 5000, 'the watcher on node 1 did not see a online');
    // userStatus crosses nodes through the Socket.IO Redis adapter, the state through the store.
    expect(seen.map((e) => [e.userId, e.status])).toEqual([[a.id, 'online']]);
    const viaNode1 = await ok<UserStatus>(watcher, C.GetUser, { userId: a.id });
    expect(viaNode1.status).toBe('online');
    seen.length = 0;

    // node2 stops renewing and sweeping, as a killed process would; its socket stays open.
    node2.app.get(NodeMemberships).onModuleDestroy();
    await node2.app.get(PresenceService).onModuleDestroy();
    await waitUntil(() => seen.length > 0, 4000, 'the watcher did not see a go offline');
    expect(seen.map((e) => [e.userId, e.status])).toEqual([[a.id, 'offline']]);
    expect(seen[0].lastSeen).not.toBeNull();
    expect((await ok<UserStatus>(watcher, C.GetUser, { userId: a.id })).status).toBe('offline');
  });
});
