import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/common/auth/auth-user.js';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import type { MessagePage } from '../../src/modules/chat/chat.types.js';
import { MessageService } from '../../src/modules/chat/message.service.js';
import { OrderStatus } from '../../src/modules/orders/entities/order.entity.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import { OrdersService } from '../../src/modules/orders/orders.service.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { moveOrder, must, orderIn } from '../support/orders.js';

// Over the wire, one process serialises a chat's status changes, and PGlite runs one statement
// at a time, so two moves never both read the old status. This suite reaches into the services to
// force that interleaving: a move decided on a status that has changed since must lose.

describe('an order move decided on a stale status', () => {
  let t: TestApp;
  let client: TestClient, performer: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    [client, performer] = [await makeUser(t, 'CLIENT'), await makeUser(t, 'SPECIALIST')];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gets CONFLICT and leaves no SYSTEM message', async () => {
    const orders = t.app.get(OrdersService);
    const messages = t.app.get(MessageService);
    const actor = { id: performer.id, name: performer.name, role: Role.Specialist };
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const stale = await orders.get(actor, order.id);
    await moveOrder(t, client, order.id, 'CANCELLED');

    const late = messages.withSystemMessages([stale.chatId], (tx, post) =>
      orders.move(tx, post, stale, OrderStatus.Delivered, actor),
    );
    await expect(late).rejects.toMatchObject({ code: ErrorCode.Conflict });

    const now = await must<OrderView>(t, client, 'get', `/api/orders/${order.id}`);
    expect(now.status).toBe('CANCELLED');
    const chat = await must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
    expect(chat.items.map((m) => m.text)).toEqual([
      'Order status changed from NEW to IN_PROGRESS',
      'Order status changed from IN_PROGRESS to CANCELLED',
    ]);
  });
});
