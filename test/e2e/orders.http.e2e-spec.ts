import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { MessageType } from '../../src/modules/chat/entities/message.entity.js';
import type {
  ChatView,
  MessagePage,
  MessageView,
  Page,
} from '../../src/modules/chat/chat.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import { ChatClientEvent, ChatServerEvent } from '../../src/realtime/events.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { call, makeOrder, must, orderIn } from '../support/orders.js';
import { closeAllSockets } from '../support/sockets.js';

type ErrorBody = { statusCode: number; code: string; details?: unknown };

describe('orders REST API', () => {
  let t: TestApp;
  let client: TestClient, performer: TestClient, outsider: TestClient, admin: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    [client, performer, outsider, admin] = [
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'SPECIALIST'),
      await makeUser(t, 'SPECIALIST'),
      await makeUser(t, 'ADMIN'),
    ];
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('creates an order with its ORDER chat, announced to both parties as chatCreated', async () => {
    const sp = await chatSocket(t, performer);
    const created = record<ChatView>(sp, ChatServerEvent.ChatCreated);
    const order = await makeOrder(t, client, performer, { title: '  Website  ' });
    expect(order).toMatchObject({
      title: 'Website',
      description: null,
      amount: null,
      status: 'NEW',
    });
    await settle();
    expect(created.map((c) => [c.id, c.type, c.orderId])).toEqual([
      [order.chatId, 'ORDER', order.id],
    ]);
    // Order chats live as long as their order.
    const history = await ok<MessagePage>(sp, ChatClientEvent.GetMessages, {
      chatId: order.chatId,
    });
    expect(history.items).toEqual([]);
    const byMember = await call<ErrorBody>(t, client, 'delete', `/api/chats/${order.chatId}`);
    expect(byMember.body.code).toBe('FORBIDDEN');
    const byAdmin = await call<ErrorBody>(t, admin, 'delete', `/api/chats/${order.chatId}`);
    expect([byAdmin.status, byAdmin.body.code]).toEqual([409, 'CONFLICT']);
  });

  it('accepts as performer a specialist known only through a dev token', async () => {
    const fresh = `fresh-${Date.now()}`;
    const token = await call(t, client, 'post', '/api/auth/dev-token', {
      userId: fresh,
      name: 'Fresh',
      role: 'PERFORMER',
    });
    expect(token.status).toBe(200);
    const order = await must<OrderView>(t, client, 'post', '/api/orders', {
      performerId: fresh,
      title: 'First job',
    });
    expect(order.performerId).toBe(fresh);
  });

  it.each([
    ['a SPECIALIST', 'performer', { performerId: 'x', title: 't' }, 403, 'FORBIDDEN'],
    ['an ADMIN', 'admin', { performerId: 'x', title: 't' }, 403, 'FORBIDDEN'],
  ])('refuses an order from %s', async (_name, who, body, status, code) => {
    const user = { performer, admin }[who as 'performer' | 'admin'];
    const res = await call<ErrorBody>(t, user, 'post', '/api/orders', body);
    expect([res.status, res.body.code]).toEqual([status, code]);
  });

  it.each([
    ['no title', { title: undefined }, 'title'],
    ['a blank title', { title: '   ' }, 'title'],
    ['a title over 200 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a negative amount', { amount: -1 }, 'amount'],
    ['an amount with 3 decimals', { amount: 1.005 }, 'amount'],
    // JavaScript writes these with an exponent (1e-7), which class-validator's decimal count
    // threw on: a 500.
    ['a tiny amount', { amount: 1e-7 }, 'amount'],
    ['the smallest amount', { amount: 5e-324 }, 'amount'],
    ['a tiny negative amount', { amount: -1e-7 }, 'amount'],
    ['an amount as text', { amount: '10' }, 'amount'],
    ['a description over 4000 characters', { description: 'x'.repeat(4001) }, 'description'],
    ['an unknown field', { status: 'COMPLETED' }, 'status'],
    ['a client as performer', { performerId: 'CLIENT_SELF' }, 'performerId'],
    ['a non-specialist performer', { performerId: 'OUTSIDER_CLIENT' }, 'performerId'],
  ])('refuses %s with VALIDATION_FAILED', async (_name, change: Record<string, unknown>, field) => {
    const other = await makeUser(t, 'CLIENT');
    const performerId =
      change.performerId === 'CLIENT_SELF'
        ? client.id
        : change.performerId === 'OUTSIDER_CLIENT'
          ? other.id
          : performer.id;
    const res = await call<ErrorBody>(t, client, 'post', '/api/orders', {
      title: 'Site',
      ...change,
      performerId,
    });
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.stringify(res.body.details)).toContain(field);
  });

  it('refuses an unknown performer with NOT_FOUND', async () => {
    const res = await call<ErrorBody>(t, client, 'post', '/api/orders', {
      performerId: 'nobody-knows-me',
      title: 'Site',
    });
    expect([res.status, res.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('shows an order to its parties and ADMIN only, with FORBIDDEN whether or not it exists', async () => {
    const order = await makeOrder(t, client, performer);
    for (const user of [client, performer, admin]) {
      expect((await call(t, user, 'get', `/api/orders/${order.id}`)).status).toBe(200);
    }
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const id of [order.id, missing, 'not-a-uuid']) {
      const res = await call<ErrorBody>(t, outsider, 'get', `/api/orders/${id}`);
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    }
    const bad = await call<ErrorBody>(t, client, 'get', `/api/orders/${'x'.repeat(129)}`);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('lists a user their orders newest first, in pages, as client and as performer; ADMIN all', async () => {
    const [c, p, p2] = [
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'SPECIALIST'),
      await makeUser(t, 'SPECIALIST'),
    ];
    const made: OrderView[] = [];
    for (let i = 0; i < 5; i++)
      made.push(await makeOrder(t, c, i % 2 ? p2 : p, { title: `#${i}` }));
    const all = async (user: TestClient, query = ''): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<OrderView> = await must<Page<OrderView>>(
          t,
          user,
          'get',
          `/api/orders?limit=2${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.items.map((o) => o.id));
        cursor = page.nextCursor;
        expect(page.hasMore).toBe(cursor !== null);
      } while (cursor);
      return ids;
    };
    const newestFirst = made.map((o) => o.id).reverse();
    expect(await all(c)).toEqual(newestFirst);
    expect(await all(p)).toEqual(newestFirst.filter((_, i) => i % 2 === 0));
    expect(await all(p2)).toEqual(newestFirst.filter((_, i) => i % 2 === 1));
    expect(await all(outsider)).toEqual([]);
    expect(await all(admin)).toEqual(expect.arrayContaining(newestFirst));
    await must(t, p, 'patch', `/api/orders/${made[0].id}/status`, { status: 'IN_PROGRESS' });
    expect(await all(c, '&status=IN_PROGRESS')).toEqual([made[0].id]);
    for (const query of ['?limit=0', '?limit=101', '?cursor=nope', '?status=LOST']) {
      const res = await call<ErrorBody>(t, c, 'get', `/api/orders${query}`);
      expect([query, res.body.code]).toEqual([query, 'VALIDATION_FAILED']);
    }
  });

  it('honours Idempotency-Key on order messages', async () => {
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const keyed = async (): Promise<MessageView> =>
      (
        await request(t.url)
          .post(`/api/orders/${order.id}/messages`)
          .set('Authorization', `Bearer ${client.token}`)
          .set('Idempotency-Key', 'k-1')
          .send({ text: 'keyed' })
          .expect(201)
      ).body as MessageView;
    const [a, b] = [await keyed(), await keyed()];
    expect(a.id).toBe(b.id);
    const page = await must<MessagePage>(t, client, 'get', `/api/orders/${order.id}/messages`);
    expect(page.items.filter((m) => m.text === 'keyed')).toHaveLength(1);
  });

  it('refuses to edit or delete SYSTEM messages', async () => {
    const order = await orderIn(t, 'IN_PROGRESS', client, performer);
    const page = await must<MessagePage>(t, admin, 'get', `/api/orders/${order.id}/messages`);
    const system = page.items.find((m) => m.type === MessageType.System)!;
    for (const user of [client, admin]) {
      const edit = await call<ErrorBody>(t, user, 'patch', `/api/messages/${system.id}`, {
        text: 'x',
      });
      const del = await call<ErrorBody>(t, user, 'delete', `/api/messages/${system.id}`);
      expect([edit.body.code, del.body.code]).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    }
  });

  it('documents the order and dispute routes with request and response schemas', async () => {
    const { body } = await request(t.url).get('/docs-json').expect(200);
    type Body = { content: Record<string, { schema: { $ref: string } }> };
    type Operation = {
      requestBody: Body;
      responses: Record<string, Body>;
      parameters: { name: string }[];
    };
    const schemaOf = (part: Body) => part.content['application/json'].schema.$ref.split('/').pop();
    const paths = (body as { paths: Record<string, Record<string, Operation>> }).paths;
    expect(schemaOf(paths['/api/orders'].post.requestBody)).toBe('CreateOrderDto');
    expect(schemaOf(paths['/api/orders'].post.responses['201'])).toBe('OrderResponse');
    expect(schemaOf(paths['/api/orders'].get.responses['200'])).toBe('OrderPageResponse');
    expect(schemaOf(paths['/api/orders/{id}/status'].patch.requestBody)).toBe('OrderStatusDto');
    expect(schemaOf(paths['/api/orders/{id}/status'].patch.responses['409'])).toBe('ErrorResponse');
    expect(schemaOf(paths['/api/disputes'].post.requestBody)).toBe('OpenDisputeDto');
    expect(schemaOf(paths['/api/disputes'].get.responses['200'])).toBe('DisputePageResponse');
    expect(schemaOf(paths['/api/disputes/{id}/assign'].post.responses['200'])).toBe(
      'DisputeResponse',
    );
    expect(schemaOf(paths['/api/disputes/{id}/status'].patch.requestBody)).toBe('DisputeStatusDto');
    // An unknown performer or moderator; the REST rate, on every route.
    expect(schemaOf(paths['/api/orders'].post.responses['404'])).toBe('ErrorResponse');
    expect(schemaOf(paths['/api/disputes/{id}/assign'].post.responses['404'])).toBe(
      'ErrorResponse',
    );
    expect(schemaOf(paths['/api/orders/{id}'].get.responses['429'])).toBe('ErrorResponse');
    for (const [owner, sent] of [
      ['orders', 'OrderMessageResponse'],
      ['disputes', 'DisputeMessageResponse'],
    ]) {
      const messages = paths[`/api/${owner}/{id}/messages`];
      expect(schemaOf(messages.get.responses['200'])).toBe('MessagePageResponse');
      expect(schemaOf(messages.post.responses['201'])).toBe(sent);
      expect(schemaOf(messages.post.responses['429'])).toBe('ErrorResponse');
      expect(messages.post.parameters.map((p: { name: string }) => p.name)).toContain(
        'Idempotency-Key',
      );
    }
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/api/orders/{id}', '/api/disputes/{id}']),
    );
  });
});
