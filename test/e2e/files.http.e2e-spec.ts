import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AttachmentView, ChatView, MessageView } from '../../src/modules/chat/chat.types.js';
import { FileUrlSigner } from '../../src/modules/files/file-url.signer.js';
import { ChatClientEvent as C, ChatServerEvent as S } from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets, emitAck, nextEvent } from '../support/sockets.js';
import { recordStatements } from '../support/statements.js';
import { tokenFor } from '../support/tokens.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a5b40000000049454e44ae426082',
  'hex',
);
const MAX_BYTES = 64 * 1024;

describe('attachments', () => {
  let t: TestApp;
  let a: TestClient, b: TestClient, outsider: TestClient;
  let chat: ChatView;
  const as = (user: TestClient) => ({ Authorization: `Bearer ${user.token}` });
  const upload = (user: TestClient, data = PNG, name = 'pixel.png', contentType = 'image/png') =>
    request(t.url)
      .post('/api/files')
      .set(as(user))
      .attach('file', data, { filename: name, contentType });

  beforeAll(async () => {
    t = await createTestApp({
      env: { FILE_MAX_BYTES: String(MAX_BYTES), FILE_URL_TTL_SECONDS: '60' },
    });
    [a, b, outsider] = [await makeUser(t), await makeUser(t), await makeUser(t)];
    chat = await makeGroup(t, a, [b]);
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it('stores an upload and answers an Attachment with a signed url', async () => {
    const res = await upload(a).expect(201);
    expect(res.body).toMatchObject({
      fileName: 'pixel.png',
      mimeType: 'image/png',
      size: PNG.length,
    });
    expect(res.body.url).toMatch(new RegExp(`^/api/files/${res.body.id}\\?exp=\\d+&sig=`));
  });

  it('reads a file name sent as UTF-8, as browsers send it', async () => {
    const res = await upload(a, PNG, 'résumé 履歴書 😀.png').expect(201);
    expect((res.body as { fileName: string }).fileName).toBe('résumé 履歴書 😀.png');
  });

  it('drops control, separator and direction characters from a file name, not emoji joiners', async () => {
    const name = 'in\u0085voice\u202Efdp\u2028.png \u{1F469}\u200D\u{1F4BB}.png';
    const res = await upload(a, PNG, name).expect(201);
    expect((res.body as { fileName: string }).fileName).toBe(
      'invoicefdp.png \u{1F469}\u200D\u{1F4BB}.png',
    );
  });

  it('keeps 255 characters of a long file name, never half an emoji', async () => {
    const res = await upload(a, PNG, `${'n'.repeat(254)}😀.png`).expect(201);
    const { fileName } = res.body as { fileName: string };
    expect(fileName).toBe('n'.repeat(254));
    expect(fileName.isWellFormed()).toBe(true);
  });

  it('refuses a file over FILE_MAX_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await upload(a, Buffer.alloc(MAX_BYTES + 1, 1), 'big.png').expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a type outside the allow-list and a missing file with VALIDATION_FAILED', async () => {
    const html = await upload(
      a,
      Buffer.from('<script>alert(1)</script>'),
      'x.html',
      'text/html',
    ).expect(400);
    expect(html.body.code).toBe('VALIDATION_FAILED');
    const none = await request(t.url).post('/api/files').set(as(a)).field('other', 'x').expect(400);
    expect(none.body.code).toBe('VALIDATION_FAILED');
    await request(t.url)
      .post('/api/files')
      .attach('file', PNG, { filename: 'p.png', contentType: 'image/png' })
      .expect(401);
  });

  it('sends uploads as attachments that members can fetch and outsiders cannot', async () => {
    const file = (await upload(a).expect(201)).body as AttachmentView;
    const [sa, sb] = [await chatSocket(t, a), await chatSocket(t, b)];
    await ok(sb, C.JoinChat, { chatId: chat.id });
    const delivered = nextEvent<MessageView>(sb, S.NewMessage);
    const message = await ok<MessageView>(sa, C.SendMessage, {
      chatId: chat.id,
      attachmentIds: [file.id],
    });
    expect(message).toMatchObject({
      type: 'FILE',
      text: null,
      attachments: [
        expect.objectContaining({ id: file.id, fileName: 'pixel.png', size: PNG.length }),
      ],
    });
    await expect(delivered).resolves.toMatchObject({
      id: message.id,
      attachments: [expect.objectContaining({ id: file.id })],
    });

    const link = message.attachments[0].url;
    const viaLink = await request(t.url).get(link).expect(200);
    expect(viaLink.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(viaLink.body as Buffer, PNG)).toBe(0);
    await request(t.url).get(`/api/files/${file.id}`).set(as(b)).expect(200);
    await request(t.url).get(`/api/files/${file.id}`).set(as(outsider)).expect(403);
    await request(t.url).get(`/api/files/${file.id}`).expect(401);
    await request(t.url)
      .get(link.replace(/sig=[^&]+/, 'sig=forged'))
      .expect(401);
    await request(t.url)
      .get(link.replace(/exp=\d+/, 'exp=1'))
      .expect(401);
  });

  it('falls back on the bearer token once a link has run out, and only then', async () => {
    const file = (await upload(a).expect(201)).body as AttachmentView;
    await ok(await chatSocket(t, a), C.SendMessage, { chatId: chat.id, attachmentIds: [file.id] });
    const signer = t.app.get(FileUrlSigner);
    // Signed as of two hours ago: its signature is good, its time is up.
    const expired = signer.url(file.id, Date.now() - 2 * 3600 * 1000);
    await request(t.url).get(expired).expect(401);
    await request(t.url).get(expired).set(as(b)).expect(200);
    await request(t.url).get(expired).set(as(outsider)).expect(403);
    // A good link needs no token: one that is bad or expired beside it is not read.
    const live = signer.url(file.id);
    await request(t.url).get(live).set('Authorization', 'Bearer not-a-token').expect(200);
    const old = tokenFor({ id: b.id, role: 'CLIENT' }, { expiresIn: -60 });
    await request(t.url).get(live).set('Authorization', `Bearer ${old}`).expect(200);
  });

  it('takes an empty or blank text beside attachments as no text', async () => {
    const sa = await chatSocket(t, a);
    for (const text of ['', '   ']) {
      const file = (await upload(a).expect(201)).body as AttachmentView;
      const message = await ok<MessageView>(sa, C.SendMessage, {
        chatId: chat.id,
        text,
        attachmentIds: [file.id],
      });
      expect(message).toMatchObject({ type: 'FILE', text: null, attachments: [{ id: file.id }] });
    }
  });

  it('refuses a blank text without attachments with VALIDATION_FAILED on text', async () => {
    const blank = await emitAck(await chatSocket(t, a), C.SendMessage, {
      chatId: chat.id,
      text: '   ',
    });
    expect(blank.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'text' })],
    });
  });

  it('answers a reply with attachments from the statements that store it, reading nothing back', async () => {
    const sa = await chatSocket(t, a);
    const first = await ok<MessageView>(sa, C.SendMessage, { chatId: chat.id, text: 'first' });
    const [one, two] = [
      (await upload(a).expect(201)).body as AttachmentView,
      (await upload(a, PNG, 'second.png').expect(201)).body as AttachmentView,
    ];
    const { statements, stop } = recordStatements(t.app.get(DataSource));
    let reply: MessageView;
    try {
      reply = await ok<MessageView>(sa, C.SendMessage, {
        chatId: chat.id,
        text: 'see these',
        replyToId: first.id,
        attachmentIds: [two.id, one.id],
      });
    } finally {
      stop();
    }
    expect(statements.filter((sql) => sql.includes('WHERE m.id = $1'))).toEqual([]);
    expect(reply).toMatchObject({
      type: 'FILE',
      replyTo: { id: first.id, senderId: a.id, text: 'first', isDeleted: false },
      // In upload order, as history lists them.
      attachments: [
        { id: one.id, fileName: 'pixel.png', mimeType: 'image/png', size: PNG.length },
        { id: two.id, fileName: 'second.png', mimeType: 'image/png', size: PNG.length },
      ],
    });
    const page = await ok<{ items: MessageView[] }>(sa, C.GetMessages, {
      chatId: chat.id,
      limit: 1,
    });
    // As history reads it (links aside: each is signed when it is made).
    const unlinked = (m: MessageView) => ({
      ...m,
      attachments: m.attachments.map(({ url: _url, ...file }) => file),
    });
    expect(page.items.map(unlinked)).toEqual([unlinked(reply)]);
  });

  it('lets the uploader fetch an unsent file and nobody else', async () => {
    const file = (await upload(a).expect(201)).body as AttachmentView;
    await request(t.url).get(`/api/files/${file.id}`).set(as(a)).expect(200);
    await request(t.url).get(`/api/files/${file.id}`).set(as(b)).expect(403);
  });

  it('refuses attaching someone else’s upload or an already sent one, storing nothing', async () => {
    const theirs = (await upload(b).expect(201)).body as AttachmentView;
    const sa = await chatSocket(t, a);
    const before = await ok<{ items: MessageView[] }>(sa, C.GetMessages, {
      chatId: chat.id,
      limit: 1,
    });
    const stolen = await emitAck(sa, C.SendMessage, {
      chatId: chat.id,
      text: 'mine now',
      attachmentIds: [theirs.id],
    });
    expect(stolen.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'attachmentIds' })],
    });
    const mine = (await upload(a).expect(201)).body as AttachmentView;
    await ok(sa, C.SendMessage, { chatId: chat.id, attachmentIds: [mine.id] });
    const twice = await emitAck(sa, C.SendMessage, { chatId: chat.id, attachmentIds: [mine.id] });
    expect(twice.error?.code).toBe('VALIDATION_FAILED');
    const after = await ok<{ items: MessageView[] }>(sa, C.GetMessages, {
      chatId: chat.id,
      limit: 1,
    });
    expect(after.items[0].seq).toBe(before.items[0].seq + 1);
  });

  it('gives each message of a page and the chat view its own files, and none once deleted', async () => {
    const room = await makeGroup(t, a, [b]);
    const sa = await chatSocket(t, a);
    const [x1, x2, y1] = [
      (await upload(a, PNG, 'x1.png').expect(201)).body as AttachmentView,
      (await upload(a, PNG, 'x2.png').expect(201)).body as AttachmentView,
      (await upload(a, PNG, 'y1.png').expect(201)).body as AttachmentView,
    ];
    const x = await ok<MessageView>(sa, C.SendMessage, {
      chatId: room.id,
      attachmentIds: [x1.id, x2.id],
    });
    const y = await ok<MessageView>(sa, C.SendMessage, { chatId: room.id, attachmentIds: [y1.id] });
    const files = (m: MessageView | null | undefined) =>
      m?.attachments.map(({ fileName, size }) => ({ fileName, size }));
    const page = await ok<{ items: MessageView[] }>(sa, C.GetMessages, { chatId: room.id });
    expect(page.items.map(files)).toEqual([
      [
        { fileName: 'x1.png', size: PNG.length },
        { fileName: 'x2.png', size: PNG.length },
      ],
      [{ fileName: 'y1.png', size: PNG.length }],
    ]);
    const view = (await request(t.url).get(`/api/chats/${room.id}`).set(as(a)).expect(200))
      .body as ChatView;
    expect(view.lastMessage).toMatchObject({ id: y.id, seq: y.seq });
    expect(files(view.lastMessage)).toEqual([{ fileName: 'y1.png', size: PNG.length }]);
    await request(t.url).get(view.lastMessage!.attachments[0].url).expect(200);

    await ok(sa, C.DeleteMessage, { messageId: y.id });
    const after = (await request(t.url).get(`/api/chats/${room.id}`).set(as(a)).expect(200))
      .body as ChatView;
    expect(after.lastMessage).toMatchObject({ id: y.id, isDeleted: true, text: null });
    expect(after.lastMessage?.attachments).toEqual([]);
    const again = await ok<{ items: MessageView[] }>(sa, C.GetMessages, { chatId: room.id });
    expect(again.items.map((m) => [m.id, files(m)?.length])).toEqual([
      [x.id, 2],
      [y.id, 0],
    ]);
  });

  it('hides attachments of a deleted message', async () => {
    const file = (await upload(a).expect(201)).body as AttachmentView;
    const sa = await chatSocket(t, a);
    const message = await ok<MessageView>(sa, C.SendMessage, {
      chatId: chat.id,
      text: 'see file',
      attachmentIds: [file.id],
    });
    const deleted = await ok<MessageView>(sa, C.DeleteMessage, { messageId: message.id });
    expect(deleted).toMatchObject({ isDeleted: true, text: null, attachments: [] });
    await request(t.url).get(file.url).expect(403);
    await request(t.url).get(`/api/files/${file.id}`).set(as(b)).expect(403);
    await request(t.url).get(`/api/files/${file.id}`).set(as(a)).expect(200);
  });
});
