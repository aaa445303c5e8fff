import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AttachmentView, MessageView } from '../../src/modules/chat/chat.types.js';
import { FileSweeper } from '../../src/modules/files/file-sweeper.js';
import { ChatClientEvent as C } from '../../src/realtime/events.js';
import { makeGroup, ok } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { closeAllSockets } from '../support/sockets.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a5b40000000049454e44ae426082',
  'hex',
);
const PER_USER = 3;
const MAX_BYTES = 64 * 1024;

describe('the lifecycle of uploads', () => {
  let t: TestApp;
  let db: DataSource;
  let files: string, incoming: string;
  const as = (user: TestClient) => ({ Authorization: `Bearer ${user.token}` });
  const upload = (user: TestClient, data = PNG, contentType = 'image/png') =>
    request(t.url)
      .post('/api/files')
      .set(as(user))
      .attach('file', data, { filename: 'pixel.png', contentType });
  const uploaded = async (user: TestClient) =>
    (await upload(user).expect(201)).body as AttachmentView;
  const stored = (id: string) => existsSync(join(files, id.slice(0, 2), id));
  /** Every stored file on disk, by key. */
  const onDisk = () =>
    readdirSync(files, { withFileTypes: true })
      .filter((shard) => shard.isDirectory() && shard.name !== 'incoming')
      .flatMap((shard) => readdirSync(join(files, shard.name)))
      .sort();
  const rowsOf = async (user: TestClient) =>
    (
      await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM files WHERE uploader_id = $1`,
        [user.id],
      )
    )[0].n;
  /** Makes every unsent upload of the user two days old. */
  const age = (user: TestClient) =>
    db.query(
      `UPDATE files SET created_at = now() - interval '2 days'
       WHERE uploader_id = $1 AND message_id IS NULL`,
      [user.id],
    );
  const send = async (user: TestClient, chatId: string, file: AttachmentView) =>
    ok<MessageView>(await chatSocket(t, user), C.SendMessage, { chatId, attachmentIds: [file.id] });

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        FILE_UNSENT_PER_USER: String(PER_USER),
        FILE_MAX_BYTES: String(MAX_BYTES),
        // Swept when a test says so, not in between.
        FILE_SWEEP_INTERVAL_MS: '0',
      },
    });
    db = t.app.get(DataSource);
    files = join(t.dataDir, 'files');
    incoming = join(files, 'incoming');
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  it(`keeps at most FILE_UNSENT_PER_USER unsent uploads a user; sending one frees a place`, async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const mine = [await uploaded(a), await uploaded(a), await uploaded(a)];
    const refused = await upload(a).expect(409);
    expect(refused.body).toMatchObject({
      statusCode: 409,
      code: 'CONFLICT',
      details: { limit: PER_USER },
    });
    expect(refused.body.message).toMatch(/at most 3 uploads/);
    expect(await rowsOf(a)).toBe(PER_USER);
    // Someone else's place is their own.
    await uploaded(b);

    await send(a, chat.id, mine[0]);
    const next = await uploaded(a);
    expect(stored(next.id)).toBe(true);
    await upload(a).expect(409);
  });

  it('deletes unsent uploads older than FILE_UNSENT_TTL_SECONDS, bytes and all; sent ones stay', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const [sent, unsent, fresh] = [await uploaded(a), await uploaded(a), await uploaded(b)];
    const message = await send(a, chat.id, sent);
    await age(a);
    await db.query(`UPDATE files SET created_at = now() - interval '2 days' WHERE id = $1`, [
      sent.id,
    ]);

    await t.app.get(FileSweeper).sweep();

    expect(stored(unsent.id)).toBe(false);
    await request(t.url).get(`/api/files/${unsent.id}`).set(as(a)).expect(403);
    // A send naming it now finds no upload of the sender's.
    const late = await chatSocket(t, a);
    const refused = await late.emitWithAck(C.SendMessage, {
      chatId: chat.id,
      attachmentIds: [unsent.id],
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(stored(sent.id)).toBe(true);
    await request(t.url).get(message.attachments[0].url).expect(200);
    expect(stored(fresh.id)).toBe(true);
    await request(t.url).get(`/api/files/${fresh.id}`).set(as(b)).expect(200);
    expect(await db.query(`SELECT * FROM file_deletions`)).toEqual([]);
  });

  it("removes the bytes of a deleted chat's files", async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const [one, two] = [await uploaded(a), await uploaded(b)];
    await send(a, chat.id, one);
    await send(b, chat.id, two);
    await ok(await chatSocket(t, a), C.DeleteChat, { chatId: chat.id });
    // Listed for removal in the transaction that deleted the rows.
    const listed = await db.query<{ storage_key: string }[]>(
      `SELECT storage_key FROM file_deletions WHERE storage_key = ANY($1::text[]) ORDER BY 1`,
      [[one.id, two.id]],
    );
    expect(listed.map((r) => r.storage_key)).toEqual([one.id, two.id].sort());
    expect(stored(one.id) && stored(two.id)).toBe(true);

    await t.app.get(FileSweeper).sweep();

    expect(stored(one.id) || stored(two.id)).toBe(false);
    expect(await db.query(`SELECT * FROM file_deletions`)).toEqual([]);
  });

  it('leaves nothing received behind when an upload is refused', async () => {
    const a = await makeUser(t);
    await upload(a, Buffer.alloc(MAX_BYTES + 1, 1)).expect(413);
    await upload(a, Buffer.from('<p>hi</p>'), 'text/html').expect(400);
    for (let i = 0; i < PER_USER; i++) await uploaded(a);
    await upload(a).expect(409);
    // At the cap, refused before the body is read: not even its size is looked at.
    const unread = await upload(a, Buffer.alloc(MAX_BYTES + 1, 1)).expect(409);
    expect(unread.body).toMatchObject({ code: 'CONFLICT', details: { limit: PER_USER } });
    expect(await rowsOf(a)).toBe(PER_USER);
    expect(readdirSync(incoming)).toEqual([]);
    // No bytes without a row.
    const keys = await db.query<{ storage_key: string }[]>(
      `SELECT storage_key FROM files UNION SELECT storage_key FROM file_deletions ORDER BY 1`,
    );
    expect(onDisk()).toEqual(keys.map((k) => k.storage_key));
  });

  it('goes past entries whose bytes cannot be removed, and keeps them for the next pass', async () => {
    const [a, b] = [await makeUser(t), await makeUser(t)];
    const chat = await makeGroup(t, a, [b]);
    const file = await uploaded(a);
    await send(a, chat.id, file);
    // More than a batch of keys the storage refuses (not a key's shape), ahead of the real one.
    await db.query(
      `INSERT INTO file_deletions (storage_key) SELECT '!bad' || n FROM generate_series(1, 600) n`,
    );
    await ok(await chatSocket(t, a), C.DeleteChat, { chatId: chat.id });

    await t.app.get(FileSweeper).sweep();

    expect(stored(file.id)).toBe(false);
    const [{ n }] = await db.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM file_deletions WHERE storage_key LIKE '!bad%'`,
    );
    expect(n).toBe(600);
    await db.query(`DELETE FROM file_deletions`);
  });

  it('clears received files a stopped node left in incoming for an hour, and no newer ones', async () => {
    const [old, recent] = [join(incoming, 'left-behind'), join(incoming, 'arriving')];
    writeFileSync(old, 'x');
    writeFileSync(recent, 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);

    await t.app.get(FileSweeper).sweep();

    expect(readdirSync(incoming)).toEqual(['arriving']);
  });
});
