import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { ok, record, settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets, type ClientSocket } from '../support/sockets.js';

describe('chat REST API', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient, outsider: TestClient;
  let chat: ChatView;
  let sb: ClientSocket;
  const as = (user: TestClient) => ({ Authorization: `Bearer ${user.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    [a, b, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    const res = await request(t.url)
      .post('/api/chats')
      .set(as(a))
      .send({ type: 'GROUP', title: 'REST', memberIds: [b.id] })
      .expect(201);
    chat = res.body as ChatView;
    sb = await chatSocket(t, b);
    await ok(sb, C.JoinChat, { chatId: chat.id });
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('creates chats and lists them as a page, like createChat and getMyChats', async () => {
    expect(chat).toMatchObject({ type: 'GROUP', title: 'REST', status: 'ACTIVE', unreadCount: 0 });
    const list = await request(t.url).get('/api/chats?limit=10').set(as(b)).expect(200);
    expect(list.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect(list.body.items.map((c: ChatView) => c.id)).toContain(chat.id);
    await request(t.url).get(`/api/chats/${chat.id}`).set(as(b)).expect(200);
  });

  it('answers outsiders with 403 FORBIDDEN and malformed ids with 400', async () => {
    await request(t.url)
      .get(`/api/chats/${chat.id}`)
      .set(as(outsider))
      .expect(403, { statusCode: 403, code: 'FORBIDDEN', message: 'forbidden' });
    await request(t.url).get(`/api/chats/${chat.id}/messages`).set(as(outsider)).expect(403);
    await request(t.url)
      .post(`/api/chats/${chat.id}/messages`)
      .set(as(outsider))
      .send({ text: 'hi' })
      .expect(403);
    // A made-up id is an unknown chat; only what cannot be an id is a bad request.
    await request(t.url)
      .get('/api/chats/not-a-uuid')
      .set(as(a))
      .expect(403, { statusCode: 403, code: 'FORBIDDEN', message: 'forbidden' });
    const bad = await request(t.url)
      .get(`/api/chats/${'x'.repeat(129)}`)
      .set(as(a))
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    await request(t.url).get('/api/chats?limit=abc').set(as(a)).expect(400);
    await request(t.url).get('/api/chats?limit=500').set(as(a)).expect(400);
  });

  it('refuses NUL characters in bodies and query strings with 400, not 500', async () => {
    const body = await request(t.url)
      .post(`/api/chats/${chat.id}/messages`)
      .set(as(a))
      .send({ text: 'a\u0000b' });
    expect([body.status, body.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const query = await request(t.url).get('/api/chats?cursor=%00').set(as(a));
    expect([query.status, query.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('reads an id in the path in upper case as the same id', async () => {
    const res = await request(t.url).get(`/api/chats/${chat.id.toUpperCase()}`).set(as(a));
    expect([res.status, res.body.id]).toEqual([200, chat.id]);
  });

  it('answers a seq cursor beyond any chat with 400, not 500', async () => {
    for (const query of ['before=2147483648', 'after=99999999999', 'after=2147483648']) {
      const res = await request(t.url).get(`/api/chats/${chat.id}/messages?${query}`).set(as(a));
      expect([query, res.status, res.body.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
    await request(t.url)
      .post(`/api/chats/${chat.id}/read`)
      .set(as(a))
      .send({ upToSeq: 2 ** 31 })
      .expect(400);
  });

  it('sends a message that reaches joined sockets exactly like a socket send', async () => {
    const seen = record<MessageView>(sb, S.NewMessage);
    const res = await request(t.url)
      .post(`/api/chats/${chat.id}/messages`)
      .set(as(a))
      .send({ text: 'from REST' })
      .expect(201);
    expect(res.body).toMatchObject({
      chatId: chat.id,
      senderId: a.id,
      text: 'from REST',
      type: 'TEXT',
    });
    await settle();
    expect(seen).toEqual([res.body]);
  });

  it('honours Idempotency-Key: one row and one broadcast, also when requests race', async () => {
    const seen = record<MessageView>(sb, S.NewMessage);
    const post = () =>
      request(t.url)
        .post(`/api/chats/${chat.id}/messages`)
        .set(as(a))
        .set('Idempotency-Key', 'rest-key-1')
        .send({ text: 'once' });
    const responses = await Promise.all([post(), post(), post()]);
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(responses.map((r) => (r.body as MessageView).id)).size).toBe(1);
    const again = await post();
    expect(again.body.id).toBe(responses[0]?.body.id);
    await settle();
    expect(seen).toHaveLength(1);
    const page = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=100`)
      .set(as(a))
      .expect(200);
    expect(
      page.body.items.filter((m: MessageView) => m.clientMessageId === 'rest-key-1'),
    ).toHaveLength(1);
  });

  it('takes Idempotency-Key and clientMessageId as one key: both the same, or refused', async () => {
    const post = (key: string | undefined, body: object) => {
      const req = request(t.url).post(`/api/chats/${chat.id}/messages`).set(as(a));
      return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
    };
    const first = await post('same-key', { text: 'both', clientMessageId: 'same-key' }).expect(201);
    expect(first.body).toMatchObject({ clientMessageId: 'same-key' });
    // Either form alone is a retry of it.
    expect((await post('same-key', { text: 'both' }).expect(201)).body.id).toBe(first.body.id);
    expect(
      (await post(undefined, { text: 'both', clientMessageId: 'same-key' }).expect(201)).body.id,
    ).toBe(first.body.id);
    const differ = await post('header-key', { text: 'two keys', clientMessageId: 'body-key' });
    expect(differ.status).toBe(400);
    expect(differ.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'Idempotency-Key', constraints: { equals: expect.any(String) } }],
    });
    const page = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=100`)
      .set(as(a))
      .expect(200);
    const keys = page.body.items.map((m: MessageView) => m.clientMessageId);
    expect(keys.filter((k: string | null) => k === 'same-key')).toHaveLength(1);
    expect(keys).not.toContain('header-key');
    expect(keys).not.toContain('body-key');
  });

  it('refuses bad message bodies with 400 VALIDATION_FAILED and stores nothing', async () => {
    const before = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=1`)
      .set(as(a))
      .expect(200);
    for (const body of [
      { text: '' },
      { text: 'x'.repeat(4001) },
      { text: 'hi', chatId: chat.id },
      { text: 7 },
    ]) {
      const res = await request(t.url)
        .post(`/api/chats/${chat.id}/messages`)
        .set(as(a))
        .send(body)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await request(t.url)
      .post(`/api/chats/${chat.id}/messages`)
      .set(as(a))
      .set('Idempotency-Key', 'k'.repeat(101))
      .send({ text: 'x' })
      .expect(400);
    const after = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=1`)
      .set(as(a))
      .expect(200);
    expect(after.body.items[0].seq).toBe(before.body.items[0].seq);
  });

  it('pages history with before/after cursors given as query strings', async () => {
    for (let i = 0; i < 5; i += 1)
      await request(t.url)
        .post(`/api/chats/${chat.id}/messages`)
        .set(as(a))
        .send({ text: `p${i}` })
        .expect(201);
    const latest = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=2`)
      .set(as(b))
      .expect(200);
    expect(latest.body.hasMore).toBe(true);
    expect(latest.body.nextCursor).toBe(latest.body.items[0].seq);
    const older = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?limit=2&before=${latest.body.nextCursor}`)
      .set(as(b))
      .expect(200);
    expect(older.body.items.map((m: MessageView) => m.seq)).toEqual(
      latest.body.items.map((m: MessageView) => m.seq - 2),
    );
    const newer = await request(t.url)
      .get(`/api/chats/${chat.id}/messages?after=${older.body.items[1].seq}&limit=10`)
      .set(as(b))
      .expect(200);
    expect(newer.body.items.map((m: MessageView) => m.seq)).toEqual(
      latest.body.items.map((m: MessageView) => m.seq),
    );
  });

  it('edits, reacts to, and deletes messages with the socket rules', async () => {
    const { body: message } = await request(t.url)
      .post(`/api/chats/${chat.id}/messages`)
      .set(as(a))
      .send({ text: 'edit me' })
      .expect(201);
    await request(t.url)
      .patch(`/api/messages/${message.id}`)
      .set(as(b))
      .send({ text: 'not mine' })
      .expect(403);
    const edited = await request(t.url)
      .patch(`/api/messages/${message.id}`)
      .set(as(a))
      .send({ text: 'edited' })
      .expect(200);
    expect(edited.body).toMatchObject({ text: 'edited', seq: message.seq });
    const reacted = await request(t.url)
      .post(`/api/messages/${message.id}/reactions`)
      .set(as(b))
      .send({ emoji: '🔥' })
      .expect(200);
    expect(reacted.body.reactions).toEqual([{ emoji: '🔥', count: 1, userIds: [b.id] }]);
    await request(t.url)
      .post(`/api/messages/${message.id}/reactions`)
      .set(as(b))
      .send({ emoji: 'fire' })
      .expect(400);
    const unreacted = await request(t.url)
      .delete(`/api/messages/${message.id}/reactions/${encodeURIComponent('🔥')}`)
      .set(as(b))
      .expect(200);
    expect(unreacted.body.reactions).toEqual([]);
    const deleted = await request(t.url)
      .delete(`/api/messages/${message.id}`)
      .set(as(a))
      .expect(200);
    expect(deleted.body).toMatchObject({ isDeleted: true, text: null, seq: message.seq });
  });

  it('moves the read marker forward only', async () => {
    const read = await request(t.url)
      .post(`/api/chats/${chat.id}/read`)
      .set(as(b))
      .send({ upToSeq: 2 })
      .expect(200);
    expect(read.body).toMatchObject({ chatId: chat.id, lastReadSeq: 2 });
    const back = await request(t.url)
      .post(`/api/chats/${chat.id}/read`)
      .set(as(b))
      .send({ upToSeq: 1 })
      .expect(200);
    expect(back.body.lastReadSeq).toBe(2);
  });

  it('changes status and deletes chats with the socket rules', async () => {
    const { body: room } = await request(t.url)
      .post('/api/chats')
      .set(as(a))
      .send({ type: 'SUPPORT', title: 'Help', memberIds: [b.id] })
      .expect(201);
    await request(t.url)
      .patch(`/api/chats/${room.id}/status`)
      .set(as(b))
      .send({ status: 'CLOSED' })
      .expect(403);
    await request(t.url)
      .patch(`/api/chats/${room.id}/status`)
      .set(as(a))
      .send({ status: 'CLOSED' })
      .expect(200);
    const closed = await request(t.url)
      .post(`/api/chats/${room.id}/messages`)
      .set(as(b))
      .send({ text: 'hi' })
      .expect(409);
    expect(closed.body).toEqual({
      statusCode: 409,
      code: 'CHAT_CLOSED',
      message: 'chat is closed',
    });
    await request(t.url)
      .delete(`/api/chats/${room.id}`)
      .set(as(a))
      .expect(200, { chatId: room.id });
    await request(t.url).get(`/api/chats/${room.id}`).set(as(a)).expect(403);
  });

  it('documents the chat routes with request and response schemas', async () => {
    const { body } = await request(t.url).get('/docs-json').expect(200);
    const send = body.paths['/api/chats/{id}/messages'].post;
    expect(send.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SendMessageBodyDto',
    );
    expect(send.responses['201'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/MessageResponse',
    );
    expect(send.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    for (const status of ['400', '401', '403', '409', '503']) {
      expect(send.responses[status].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/ErrorResponse',
      );
    }
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/chats',
        '/api/chats/{id}',
        '/api/chats/{id}/status',
        '/api/chats/{id}/read',
        '/api/messages/{id}',
        '/api/messages/{id}/reactions',
        '/api/messages/{id}/reactions/{emoji}',
      ]),
    );
  });
});
