import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChatView, MessageView, Page } from '../../src/modules/chat/chat.types.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { iso } from '../../src/database/timestamps.js';
import { NotificationType } from '../../src/modules/notifications/entities/notification.entity.js';
import {
  NotificationDomainEvent,
  type NotificationView,
  type UnreadCountEvent,
} from '../../src/modules/notifications/notification.types.js';
import { NotificationsService } from '../../src/modules/notifications/notifications.service.js';
import {
  ChatClientEvent,
  Namespace,
  NotificationClientEvent as C,
  NotificationServerEvent as S,
} from '../../src/realtime/events.js';
import { ok, record, settle, waitUntil } from '../support/chat.js';
import { createTestApp, usingPostgres, type TestApp } from '../support/create-test-app.js';
import { chatSocket, makeUser, type TestClient } from '../support/factories.js';
import { expectTimeOrderedId } from '../support/ids.js';
import { holdLocks, someoneWaitsForLock } from '../support/locks.js';
import { call, disputeOn, must } from '../support/orders.js';
import { closeAllSockets, connect, emitAck, type ClientSocket } from '../support/sockets.js';
import { recordStatements } from '../support/statements.js';
import { tokenFor } from '../support/tokens.js';

type Count = { count: number };

describe('/notifications', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await t?.close();
  });

  const notificationSocket = (user: TestClient): Promise<ClientSocket> =>
    connect(t.url, Namespace.Notifications, { token: user.token });

  /** What a user's /notifications sockets receive from now on. */
  async function devices(user: TestClient, n = 2) {
    const sockets = await Promise.all(Array.from({ length: n }, () => notificationSocket(user)));
    return sockets.map((socket) => ({
      socket,
      notifications: record<NotificationView>(socket, S.NewNotification),
      counts: record<Count>(socket, S.UnreadCount),
    }));
  }

  const group = (owner: TestClient, others: TestClient[]): Promise<ChatView> =>
    must<ChatView>(t, owner, 'post', '/api/chats', {
      type: 'GROUP',
      title: 'Team',
      memberIds: others.map((o) => o.id),
    });

  const send = (user: TestClient, chatId: string, body: object): Promise<MessageView> =>
    must<MessageView>(t, user, 'post', `/api/chats/${chatId}/messages`, body);

  describe('message.new', () => {
    it('keeps one unread notification per chat, updated in place on every device, and spares the sender and those watching', async () => {
      const [a, b, watcher] = [await makeUser(t), await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b, watcher]);
      const watching = await chatSocket(t, watcher);
      await ok(watching, ChatClientEvent.JoinChat, chat.id);
      const [bPhone, bLaptop] = await devices(b);
      const [aDevice] = await devices(a, 1);
      const [watcherDevice] = await devices(watcher, 1);

      for (const text of ['one', 'two', 'three']) await send(a, chat.id, { text });
      await settle();

      // Pushed once, when created; the updates are in the list.
      for (const device of [bPhone, bLaptop]) {
        expect(device.notifications.map((n) => [n.kind, n.message, n.data?.count])).toEqual([
          ['message.new', 'one', 1],
        ]);
        expect(device.counts.map((c) => c.count)).toEqual([1]);
      }
      expect(bPhone.notifications[0].data).toMatchObject({ chatId: chat.id, senderId: a.id });
      expect(aDevice.notifications).toEqual([]);
      expect(watcherDevice.notifications).toEqual([]);

      const page = await ok<Page<NotificationView>>(bPhone.socket, C.List, {});
      expect(page.items.map((n) => [n.id, n.kind, n.message, n.data?.count])).toEqual([
        [bPhone.notifications[0].id, 'message.new', 'three', 3],
      ]);
      await ok(bPhone.socket, C.MarkRead, { notificationId: page.items[0].id });
      await send(a, chat.id, { text: 'four' });
      await settle();
      const after = await ok<Page<NotificationView>>(bPhone.socket, C.List, {});
      expect(after.items.map((n) => [n.message, n.data?.count, n.readAt === null])).toEqual([
        ['four', 1, true],
        ['three', 3, false],
      ]);
    });

    it('coalesces messages sent at once into one notification with the right count', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [bDevice] = await devices(b, 1);
      await Promise.all(Array.from({ length: 10 }, (_, i) => send(a, chat.id, { text: `#${i}` })));
      await settle();
      expect(bDevice.notifications).toHaveLength(1);
      const page = await ok<Page<NotificationView>>(bDevice.socket, C.List, {});
      expect(page.items.map((n) => n.data?.count)).toEqual([10]);
    });

    it('stores what comes while a statement is in flight in one more, each user counted and shown their latest', async () => {
      const [x, y] = [await makeUser(t), await makeUser(t)];
      const [xDevice, yDevice] = [(await devices(x, 1))[0], (await devices(y, 1))[0]];
      const key = `message.new:${randomUUID()}`;
      const db = t.app.get(DataSource);
      const { statements, calls, stop } = recordStatements(db, (parameters) =>
        Boolean(parameters?.includes(key)),
      );
      try {
        // Ten occurrences at once: x in every one, y in the even ones (#0 ... #8), named in
        // the reverse of id order.
        const both = [x.id, y.id].sort().reverse();
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            t.app.get(NotificationsService).notifyCoalesced(i % 2 ? [x.id] : both, key, {
              type: NotificationType.InApp,
              kind: 'message.new',
              subject: 'New messages',
              message: `#${i}`,
              data: { i },
            }),
          ),
        );
      } finally {
        stop();
      }
      // The first alone, the nine that waited for it together: not one statement each.
      expect(statements).toHaveLength(2);
      // Rows written in id order on every node, so two nodes' statements cannot deadlock.
      for (const { parameters } of calls) {
        const recipients = parameters![1] as string[];
        expect(recipients).toEqual([...recipients].sort());
      }
      await settle();
      const latest = async (device: typeof xDevice) =>
        (await ok<Page<NotificationView>>(device.socket, C.List, {})).items.map((n) => [
          n.message,
          n.data,
        ]);
      expect(await latest(xDevice)).toEqual([['#9', { i: 9, count: 10 }]]);
      expect(await latest(yDevice)).toEqual([['#8', { i: 8, count: 5 }]]);
      // Pushed once each, when created.
      expect(xDevice.notifications.map((n) => n.message)).toEqual(['#0']);
      expect(yDevice.notifications.map((n) => n.message)).toEqual(['#0']);
    });

    it('fails every occurrence a failed statement carried, and stores the next ones', async () => {
      const x = await makeUser(t);
      const [xDevice] = await devices(x, 1);
      const key = `message.new:${randomUUID()}`;
      const service = t.app.get(NotificationsService);
      const occurrence = (i: number) =>
        service.notifyCoalesced([x.id], key, {
          type: NotificationType.InApp,
          kind: 'message.new',
          subject: 'New messages',
          message: `#${i}`,
          data: { i },
        });
      // The second statement under the key fails.
      const db = t.app.get(DataSource);
      const query = db.query.bind(db);
      let statements = 0;
      db.query = ((sql: string, parameters?: unknown[], ...rest: unknown[]) => {
        if (parameters?.includes(key) && (statements += 1) === 2) {
          return Promise.reject(new Error('the database went away'));
        }
        return (query as (...args: unknown[]) => unknown)(sql, parameters, ...rest);
      }) as DataSource['query'];
      try {
        const first = occurrence(0);
        const failed = [occurrence(1), occurrence(2)];
        await first;
        for (const one of failed) await expect(one).rejects.toThrow('the database went away');
        // Nothing is left waiting or in flight: the next goes in a statement of its own.
        await occurrence(3);
        expect(statements).toBe(3);
      } finally {
        db.query = query;
      }
      const page = await ok<Page<NotificationView>>(xDevice.socket, C.List, {});
      expect(page.items.map((n) => [n.message, n.data])).toEqual([['#3', { i: 3, count: 2 }]]);
    });

    it('tells the users whose unread counts are equal theirs in one emit', async () => {
      const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => makeUser(t)));
      const chat = await group(a, [b, c, d]);
      const away = await Promise.all([b, c, d].map(async (user) => (await devices(user, 1))[0]));
      const emitter = t.app.get(EventEmitter2);
      const events: UnreadCountEvent[] = [];
      const listener = (event: UnreadCountEvent): number => events.push(event);
      emitter.on(NotificationDomainEvent.Unread, listener);
      try {
        await send(a, chat.id, { text: 'all here?' });
        await settle();
      } finally {
        emitter.off(NotificationDomainEvent.Unread, listener);
      }
      expect(events.map((e) => [[...e.userIds].sort(), e.count])).toEqual([
        [[b.id, c.id, d.id].sort(), 1],
      ]);
      for (const device of away) expect(device.counts).toEqual([{ count: 1 }]);
    });

    it('notifies again a user whose socket joined twice at once and then went away', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const bChat = await chatSocket(t, b);
      await Promise.all([
        ok(bChat, ChatClientEvent.JoinChat, chat.id),
        ok(bChat, ChatClientEvent.JoinChat, { chatId: chat.id }),
      ]);
      const aChat = await chatSocket(t, a);
      const active = () =>
        ok<{ userIds: string[] }>(aChat, ChatClientEvent.GetActiveUsers, { chatId: chat.id });
      expect((await active()).userIds).toEqual([b.id]);
      bChat.close();
      await settle();
      expect((await active()).userIds).toEqual([]);
      const [bDevice] = await devices(b, 1);
      await send(a, chat.id, { text: 'are you there?' });
      await settle();
      expect(bDevice.notifications.map((n) => n.kind)).toEqual(['message.new']);
    });

    it('tells the author of a replied message with message.reply instead', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const original = await send(a, chat.id, { text: 'question' });
      const [aDevice] = await devices(a, 1);
      await send(b, chat.id, { text: 'answer', replyToId: original.id });
      await settle();
      expect(aDevice.notifications.map((n) => [n.kind, n.message])).toEqual([
        ['message.reply', 'answer'],
      ]);
      expect(aDevice.notifications[0].data).toMatchObject({ chatId: chat.id });
    });

    it('tells ADMIN, who wrote in a chat without being a member, of a reply', async () => {
      const [a, b, admin] = [await makeUser(t), await makeUser(t), await makeUser(t, 'ADMIN')];
      const chat = await group(a, [b]);
      const original = await send(admin, chat.id, { text: 'a word from the staff' });
      const [adminDevice] = await devices(admin, 1);
      await send(b, chat.id, { text: 'noted', replyToId: original.id });
      await settle();
      expect(adminDevice.notifications.map((n) => [n.kind, n.message])).toEqual([
        ['message.reply', 'noted'],
      ]);
    });

    it('tells no author of a reply who may no longer read the chat', async () => {
      const [a, b, admin] = [await makeUser(t), await makeUser(t), await makeUser(t, 'ADMIN')];
      const chat = await group(a, [b]);
      const original = await send(admin, chat.id, { text: 'a word from the staff' });
      // A new token makes them a CLIENT, who may not read a chat they are no member of.
      const demoted = { ...admin, role: 'CLIENT', token: tokenFor({ ...admin, role: 'CLIENT' }) };
      await must(t, demoted, 'get', '/api/users/me');
      const [demotedDevice] = await devices(demoted, 1);
      await send(b, chat.id, { text: 'noted', replyToId: original.id });
      await settle();
      expect(demotedDevice.notifications).toEqual([]);
    });

    /** The user's notifications as `list` answers them: kind, message, seq quoted, read. */
    const listed = async (socket: ClientSocket) =>
      (await ok<Page<NotificationView>>(socket, C.List, {})).items.map((n) => ({
        kind: n.kind,
        message: n.message,
        seq: n.data?.seq,
        read: n.readAt !== null,
      }));
    /** Waits until the user's unread message.new quotes the message of `seq`. */
    const shows = (socket: ClientSocket, seq: number) =>
      waitUntil(
        async () =>
          (await listed(socket)).some((n) => n.kind === 'message.new' && !n.read && n.seq === seq),
        5000,
        `message.new showing seq ${seq}`,
      );

    it('reads a chat’s message.new once the chat is read up to the message it shows', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [bDevice] = await devices(b, 1);
      const first = await send(a, chat.id, { text: 'one' });
      const second = await send(a, chat.id, { text: 'two' });
      await shows(bDevice.socket, second.seq);
      const bChat = await chatSocket(t, b);
      // It shows the second message: reading up to the first leaves it unread.
      await ok(bChat, ChatClientEvent.ReadMessages, { chatId: chat.id, upToSeq: first.seq });
      await settle();
      expect(await listed(bDevice.socket)).toEqual([
        { kind: 'message.new', message: 'two', seq: second.seq, read: false },
      ]);
      await ok(bChat, ChatClientEvent.ReadMessages, { chatId: chat.id, upToSeq: second.seq });
      await waitUntil(() => bDevice.counts.at(-1)?.count === 0, 5000, 'unreadCount 0 pushed');
      expect(await listed(bDevice.socket)).toEqual([
        { kind: 'message.new', message: 'two', seq: second.seq, read: true },
      ]);
      // The next message makes a new one, as after markRead.
      const third = await send(a, chat.id, { text: 'three' });
      await shows(bDevice.socket, third.seq);
    });

    it('makes no message.new for a message the user has read past by the time it is written', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [bDevice] = await devices(b, 1);
      const message = await send(a, chat.id, { text: 'read at once' });
      await shows(bDevice.socket, message.seq);
      await ok(await chatSocket(t, b), ChatClientEvent.ReadMessages, {
        chatId: chat.id,
        upToSeq: message.seq,
      });
      await waitUntil(() => bDevice.counts.at(-1)?.count === 0, 5000, 'read');
      // The same occurrence written again, late (its receipt first): as if its statement had
      // waited behind the read.
      await t.app.get(NotificationsService).notifyCoalesced([b.id], `message.new:${chat.id}`, {
        type: NotificationType.InApp,
        kind: 'message.new',
        subject: 'New messages',
        message: 'read at once',
        data: { chatId: chat.id, messageId: message.id, seq: message.seq, senderId: a.id },
      });
      expect((await listed(bDevice.socket)).filter((n) => !n.read)).toEqual([]);
      expect(await ok<Count>(bDevice.socket, C.GetUnreadCount, {})).toEqual({ count: 0 });
    });

    it('quotes a message as it is now: edited, or deleted with no text', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [aDevice, bDevice] = [(await devices(a, 1))[0], (await devices(b, 1))[0]];
      const question = await send(b, chat.id, { text: 'question' });
      await shows(aDevice.socket, question.seq);
      const reply = await send(a, chat.id, {
        text: 'my password is hunter2',
        replyToId: question.id,
      });
      const first = await send(a, chat.id, { text: 'a slip' });
      await shows(bDevice.socket, first.seq);
      // A read message.new keeps quoting its message too.
      await ok(bDevice.socket, C.MarkAllRead, {});
      const secret = await send(a, chat.id, { text: 'TOP SECRET' });
      await shows(bDevice.socket, secret.seq);
      const aChat = await chatSocket(t, a);
      await ok(aChat, ChatClientEvent.EditMessage, { messageId: reply.id, text: 'see the docs' });
      await ok(aChat, ChatClientEvent.DeleteMessage, { messageId: secret.id });
      await ok(aChat, ChatClientEvent.DeleteMessage, { messageId: first.id });
      // Newest first.
      expect((await listed(bDevice.socket)).map((n) => [n.kind, n.message, n.read])).toEqual([
        ['message.new', 'Message deleted', false],
        ['message.new', 'Message deleted', true],
        ['message.reply', 'see the docs', true],
      ]);
      // Only notifications quoting those messages change.
      expect((await listed(aDevice.socket)).map((n) => [n.kind, n.message])).toEqual([
        ['message.new', 'question'],
      ]);
    });

    it('quotes no text of a deleted chat’s messages', async () => {
      const [a, b] = [await makeUser(t), await makeUser(t)];
      const chat = await group(a, [b]);
      const [bDevice] = await devices(b, 1);
      const question = await send(b, chat.id, { text: 'question' });
      const secret = await send(a, chat.id, { text: 'TOP SECRET', replyToId: question.id });
      const later = await send(a, chat.id, { text: 'deleted, then its chat' });
      await shows(bDevice.socket, later.seq);
      const aChat = await chatSocket(t, a);
      await ok(aChat, ChatClientEvent.DeleteMessage, { messageId: later.id });
      await ok(aChat, ChatClientEvent.DeleteChat, { chatId: chat.id });
      expect((await listed(bDevice.socket)).map((n) => [n.kind, n.message])).toEqual([
        ['message.new', 'Message deleted'],
        ['message.reply', 'Message deleted'],
      ]);
      expect(secret.replyTo?.id).toBe(question.id);
    });
  });

  it('notifies the other party of order and dispute changes, never the one who made them', async () => {
    const [client, performer, moderator] = [
      await makeUser(t, 'CLIENT'),
      await makeUser(t, 'SPECIALIST'),
      await makeUser(t, 'MODERATOR'),
    ];
    const [clientDevice, clientPhone] = await devices(client, 2);
    const [performerDevice] = await devices(performer, 1);
    const [moderatorDevice] = await devices(moderator, 1);
    const dispute = await disputeOn(t, client, performer, moderator);
    await must(t, moderator, 'patch', `/api/disputes/${dispute.id}/status`, {
      status: 'RESOLVED',
      resolution: 'Refund half',
    });
    await settle();
    const kinds = (device: { notifications: NotificationView[] }) =>
      device.notifications.filter((n) => n.kind !== 'message.new').map((n) => n.kind);
    // IN_PROGRESS (by the performer), DISPUTED (opened by the client), taken, resolved, back.
    expect(kinds(clientDevice)).toEqual([
      'order.status',
      'dispute.assigned',
      'order.status',
      'dispute.status',
    ]);
    expect(kinds(performerDevice)).toEqual([
      'order.status',
      'dispute.opened',
      'dispute.assigned',
      'order.status',
      'dispute.status',
    ]);
    expect(kinds(clientPhone)).toEqual(kinds(clientDevice));
    expect(kinds(moderatorDevice)).toEqual([]);
    const resolved = clientDevice.notifications.find((n) => n.kind === 'dispute.status')!;
    expect(resolved).toMatchObject({
      type: 'IN_APP',
      message: 'Refund half',
      data: { disputeId: dispute.id, status: 'RESOLVED', previousStatus: 'IN_REVIEW' },
      readAt: null,
    });
  });

  describe('unread counts', () => {
    it('stay right through markRead, markAllRead and two devices at once', async () => {
      const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
      const [phone, laptop] = await devices(user);
      const made: NotificationView[] = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          await must<NotificationView>(t, admin, 'post', '/api/notifications', {
            userId: user.id,
            type: 'IN_APP',
            subject: `#${i}`,
            message: 'hello',
          }),
        );
      }
      expect(await ok<Count>(phone.socket, C.GetUnreadCount, {})).toEqual({ count: 5 });
      const [one, again] = await Promise.all([
        ok<{ unreadCount: number }>(phone.socket, C.MarkRead, { notificationId: made[0].id }),
        ok<{ unreadCount: number }>(laptop.socket, C.MarkRead, { notificationId: made[0].id }),
      ]);
      expect([one.unreadCount, again.unreadCount]).toEqual([4, 4]);
      await Promise.all([
        ok(phone.socket, C.MarkRead, { notificationId: made[1].id }),
        ok(laptop.socket, C.MarkRead, { notificationId: made[2].id }),
      ]);
      await settle();
      for (const device of [phone, laptop]) {
        expect(device.counts[device.counts.length - 1]).toEqual({ count: 2 });
      }
      const all = await ok<{ userId: string; updated: number; unreadCount: number }>(
        laptop.socket,
        C.MarkAllRead,
        {},
      );
      expect(all).toEqual({ userId: user.id, updated: 2, unreadCount: 0 });
      await settle();
      for (const device of [phone, laptop]) {
        expect(device.counts[device.counts.length - 1]).toEqual({ count: 0 });
      }
      const unreadOnly = await ok<Page<NotificationView>>(phone.socket, C.List, {
        unreadOnly: true,
      });
      expect(unreadOnly.items).toEqual([]);
      expect(await must(t, user, 'get', '/api/notifications/unread-count')).toEqual({ count: 0 });
    });

    it('refuses markAllRead with a payload, marking nothing, and takes {} or nothing', async () => {
      const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
      const [device] = await devices(user, 1);
      await must(t, admin, 'post', '/api/notifications', {
        userId: user.id,
        type: 'IN_APP',
        subject: 's',
        message: 'm',
      });
      for (const payload of [{ notificationId: 'x' }, 'all', [], 0]) {
        const ack = await emitAck(device.socket, C.MarkAllRead, payload);
        expect([payload, ack.error?.code]).toEqual([payload, 'VALIDATION_FAILED']);
      }
      expect(await ok<Count>(device.socket, C.GetUnreadCount, {})).toEqual({ count: 1 });
      await expect(
        emitAck(device.socket, C.GetUnreadCount, { unread: true }),
      ).resolves.toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      expect(await ok(device.socket, C.MarkAllRead, {})).toMatchObject({ updated: 1 });
      const bare = (await device.socket.timeout(5000).emitWithAck(C.MarkAllRead)) as unknown;
      expect(bare).toMatchObject({ ok: true, data: { updated: 0 } });
    });

    (usingPostgres ? it : it.skip)(
      'answers the first readAt of a mark made meanwhile through another node, and tells nothing again',
      async () => {
        const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
        const n = await must<NotificationView>(t, admin, 'post', '/api/notifications', {
          userId: user.id,
          type: 'IN_APP',
          subject: 's',
          message: 'm',
        });
        const [device] = await devices(user, 1);
        const db = t.app.get(DataSource);
        // The other node's markRead, its transaction not committed yet.
        const elsewhere = await holdLocks(
          db,
          `UPDATE notifications SET read_at = now() - interval '1 minute' WHERE id = $1`,
          [n.id],
        );
        const mark = ok<{ readAt: string; unreadCount: number }>(device.socket, C.MarkRead, {
          notificationId: n.id,
        });
        try {
          await someoneWaitsForLock(db);
        } finally {
          await elsewhere.commit();
        }
        const [row] = await db.query<{ read_at: Date | string }[]>(
          `SELECT read_at FROM notifications WHERE id = $1`,
          [n.id],
        );
        await expect(mark).resolves.toEqual({
          notificationId: n.id,
          readAt: iso(row.read_at),
          unreadCount: 0,
        });
        await settle();
        expect(device.counts).toEqual([]);
      },
    );

    it('marks as read only one’s own notifications', async () => {
      const [admin, owner, other] = [
        await makeUser(t, 'ADMIN'),
        await makeUser(t),
        await makeUser(t),
      ];
      const n = await must<NotificationView>(t, admin, 'post', '/api/notifications', {
        userId: owner.id,
        type: 'IN_APP',
        subject: 's',
        message: 'm',
      });
      const s = await notificationSocket(other);
      const ack = await emitAck(s, C.MarkRead, { notificationId: n.id });
      expect(ack.error?.code).toBe('FORBIDDEN');
      const rest = await call(t, other, 'post', `/api/notifications/${n.id}/read`);
      expect(rest.status).toBe(403);
      const mine = await must<{ readAt: string }>(
        t,
        owner,
        'post',
        `/api/notifications/${n.id}/read`,
      );
      const twice = await must<{ readAt: string }>(
        t,
        owner,
        'post',
        `/api/notifications/${n.id}/read`,
      );
      expect(twice.readAt).toBe(mine.readAt);
    });
  });

  describe('REST', () => {
    it('pages the list newest first', async () => {
      const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
      const from = Date.now();
      for (let i = 0; i < 5; i++) {
        await must(t, admin, 'post', '/api/notifications', {
          userId: user.id,
          type: 'IN_APP',
          subject: `#${i}`,
          message: 'm',
          actionUrl: '/orders/1',
          data: { i },
        });
      }
      const subjects: string[] = [];
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<NotificationView> = await must<Page<NotificationView>>(
          t,
          user,
          'get',
          `/api/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        subjects.push(...page.items.map((n) => n.subject));
        ids.push(...page.items.map((n) => n.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(subjects).toEqual(['#4', '#3', '#2', '#1', '#0']);
      for (const id of ids) expectTimeOrderedId(id, from, Date.now());
      const unread = await must<Page<NotificationView>>(
        t,
        user,
        'get',
        '/api/notifications?unreadOnly=true&limit=1',
      );
      expect(unread.hasMore).toBe(true);
    });

    it('lets only ADMIN notify, a known user, with a valid body', async () => {
      const [admin, user] = [await makeUser(t, 'ADMIN'), await makeUser(t)];
      const body = { userId: user.id, type: 'IN_APP', subject: 's', message: 'm' };
      expect((await call(t, user, 'post', '/api/notifications', body)).status).toBe(403);
      const unknown = await call<{ code: string }>(t, admin, 'post', '/api/notifications', {
        ...body,
        userId: 'nobody-here',
      });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
      for (const [change, field] of [
        [{ type: 'SMS' }, 'type'],
        [{ subject: '' }, 'subject'],
        [{ message: 'x'.repeat(4001) }, 'message'],
        [{ actionUrl: 'javascript:alert(1)' }, 'actionUrl'],
        // The app's own kinds: a message.new quotes the message it names.
        [{ kind: 'message.new', data: { messageId: randomUUID() } }, 'kind'],
        [{ kind: 'dispute.status' }, 'kind'],
        // Protocol-relative: another site, though it starts with a slash.
        [{ actionUrl: '//evil.example/x' }, 'actionUrl'],
        [{ actionUrl: '/\\evil.example/x' }, 'actionUrl'],
        [{ data: 'text' }, 'data'],
        [{ extra: true }, 'extra'],
      ] as const) {
        const res = await call<{ code: string; details: unknown }>(
          t,
          admin,
          'post',
          '/api/notifications',
          {
            ...body,
            ...change,
          },
        );
        expect([field, res.body.code]).toEqual([field, 'VALIDATION_FAILED']);
        expect(JSON.stringify(res.body.details)).toContain(field);
      }
    });
  });
});
