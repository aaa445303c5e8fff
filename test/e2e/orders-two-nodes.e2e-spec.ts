import { describeNeeding } from '../support/services.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { MessagePage } from '../../src/modules/chat/chat.types.js';
import type { DisputeView } from '../../src/modules/disputes/dispute.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { call, disputeOn, must, orderIn } from '../support/orders.js';

// Two app instances on one PostgreSQL database: no in-process queue stands between their status
// changes, so only the compare-and-set in the database decides which one wins.
// PGlite is one process's database and cannot be shared: this suite needs PostgreSQL.
const describePostgres = describeNeeding('orders-two-nodes', ['PostgreSQL']);

describePostgres('status changes racing on two nodes', () => {
  let node1: TestApp, node2: TestApp;
  let client: TestClient, performer: TestClient, moderator: TestClient;

  beforeAll(async () => {
    node1 = await createTestApp();
    node2 = await createTestApp({ reuse: node1 });
    [client, performer, moderator] = [
      await makeUser(node1, 'CLIENT'),
      await makeUser(node1, 'SPECIALIST'),
      await makeUser(node1, 'MODERATOR'),
    ];
  });
  afterAll(async () => {
    await node2?.close({ keepData: true });
    await node1?.close();
  });

  it('lets exactly one of two conflicting order moves win, leaving one SYSTEM message', async () => {
    for (let round = 0; round < 10; round++) {
      const order = await orderIn(node1, 'IN_PROGRESS', client, performer);
      const path = `/api/orders/${order.id}/status`;
      const results = await Promise.all([
        call(node1, client, 'patch', path, { status: 'CANCELLED' }),
        call(node2, performer, 'patch', path, { status: 'DELIVERED' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!.body as OrderView;
      const now = await must<OrderView>(node2, client, 'get', `/api/orders/${order.id}`);
      expect(now.status).toBe(winner.status);
      const chat = await must<MessagePage>(
        node1,
        client,
        'get',
        `/api/orders/${order.id}/messages`,
      );
      expect(chat.items.map((m) => [m.seq, m.type])).toEqual([
        [1, 'SYSTEM'],
        [2, 'SYSTEM'],
      ]);
    }
  });

  it('opens at most one dispute per order when two nodes open one at once', async () => {
    for (let round = 0; round < 5; round++) {
      const order = await orderIn(node1, 'DELIVERED', client, performer);
      const results = await Promise.all([
        call(node1, client, 'post', '/api/disputes', { orderId: order.id, reason: 'a' }),
        call(node2, performer, 'post', '/api/disputes', { orderId: order.id, reason: 'b' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    }
  });

  it('closes a dispute once when two nodes close it at once', async () => {
    const dispute = await disputeOn(node1, client, performer, moderator);
    const path = `/api/disputes/${dispute.id}/status`;
    const results = await Promise.all([
      call(node1, moderator, 'patch', path, { status: 'RESOLVED', resolution: 'refund' }),
      call(node2, moderator, 'patch', path, { status: 'REJECTED', resolution: 'no' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const final = await must<DisputeView>(node2, client, 'get', `/api/disputes/${dispute.id}`);
    const order = await must<OrderView>(node1, client, 'get', `/api/orders/${dispute.orderId}`);
    expect(['RESOLVED', 'REJECTED']).toContain(final.status);
    expect(order.status).toBe('IN_PROGRESS');
  });
});
