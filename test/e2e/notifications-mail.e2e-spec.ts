import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { NotificationView } from '../../src/modules/notifications/notification.types.js';
import { settle } from '../support/chat.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { makeUser, type TestClient } from '../support/factories.js';
import { FakeSmtp } from '../support/fake-smtp.js';
import { must } from '../support/orders.js';

interface OutboxRow {
  status: string;
  attempts: number;
  last_error: string | null;
  subject: string;
}

/** The outbox rows of a notification, read straight from the database. */
const outboxOf = (t: TestApp, notificationId: string): Promise<OutboxRow[]> =>
  t.app
    .get(DataSource)
    .query<OutboxRow[]>(
      `SELECT status, attempts, last_error, subject FROM mail_outbox WHERE notification_id = $1`,
      [notificationId],
    );

async function until<T>(what: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await what();
    if (done(value) || Date.now() > deadline) return value;
    await settle(50);
  }
}

describe('EMAIL notifications without SMTP_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are listed like others and recorded in the mail outbox', async () => {
    const [admin, user] = [
      await makeUser(t, 'ADMIN'),
      await makeUser(t, 'CLIENT', 'U', 'u@example.com'),
    ];
    const n = await must<NotificationView>(t, admin, 'post', '/api/notifications', {
      userId: user.id,
      type: 'EMAIL',
      subject: 'Invoice ready',
      message: 'Your invoice is attached.',
    });
    expect(n).toMatchObject({ type: 'EMAIL', kind: 'custom', readAt: null });
    await settle(200);
    expect(await outboxOf(t, n.id)).toEqual([
      { status: 'PENDING', attempts: 0, last_error: null, subject: 'Invoice ready' },
    ]);
  });
});

describe('EMAIL notifications with SMTP_URL', () => {
  let t: TestApp;
  const smtp = new FakeSmtp();

  beforeAll(async () => {
    const port = await smtp.listen();
    t = await createTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        MAIL_RETRY_MS: '100',
        MAIL_FROM: 'Ops <ops@example.com>',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.close();
  });

  const send = async (admin: TestClient, user: TestClient, subject: string) =>
    must<NotificationView>(t, admin, 'post', '/api/notifications', {
      userId: user.id,
      type: 'EMAIL',
      subject,
      message: 'Your invoice is attached.',
    });

  it('sends the mail to the address of the token’s email claim', async () => {
    const [admin, user] = [
      await makeUser(t, 'ADMIN'),
      await makeUser(t, 'CLIENT', 'U', 'u1@example.com'),
    ];
    const n = await send(admin, user, 'Invoice 1');
    const rows = await until(
      () => outboxOf(t, n.id),
      (r) => r[0]?.status === 'SENT',
    );
    expect(rows).toMatchObject([{ status: 'SENT', attempts: 1, last_error: null }]);
    const mail = smtp.received.find((m) => m.data.includes('Invoice 1'))!;
    expect(mail.to).toEqual(['<u1@example.com>']);
    expect(mail.from).toContain('ops@example.com');
    expect(mail.data).toContain('Your invoice is attached.');
  });

  it('records a failed send and retries it until it goes through', async () => {
    const [admin, user] = [
      await makeUser(t, 'ADMIN'),
      await makeUser(t, 'CLIENT', 'U', 'u2@example.com'),
    ];
    smtp.fail = true;
    const n = await send(admin, user, 'Invoice 2');
    const failed = await until(
      () => outboxOf(t, n.id),
      (r) => (r[0]?.attempts ?? 0) >= 2,
    );
    expect(failed[0]).toMatchObject({ status: 'PENDING' });
    expect(failed[0].attempts).toBeGreaterThanOrEqual(2);
    expect(failed[0].last_error).toContain('451');
    smtp.fail = false;
    const sent = await until(
      () => outboxOf(t, n.id),
      (r) => r[0]?.status === 'SENT',
    );
    expect(sent[0]).toMatchObject({ status: 'SENT', last_error: null });
    expect(smtp.received.filter((m) => m.data.includes('Invoice 2'))).toHaveLength(1);
  });

  it('keeps retrying a mail to a user without an address, saying why', async () => {
    const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
    const n = await send(admin, user, 'Invoice 3');
    const rows = await until(
      () => outboxOf(t, n.id),
      (r) => (r[0]?.attempts ?? 0) >= 1,
    );
    expect(rows[0]).toMatchObject({ status: 'PENDING' });
    expect(rows[0].last_error).toContain('no email address');
  });
});
