import type { MessagePage, MessageView, Page } from '../../../src/modules/chat/chat.types.js';
import type { NotificationView } from '../../../src/modules/notifications/notification.types.js';
import { makeGroup, waitUntil } from '../chat.js';
import type { TestApp } from '../create-test-app.js';
import { makeUser, type TestClient } from '../factories.js';
import { makeOrder, moveOrder, must, openDispute, orderIn } from '../orders.js';
import type { FuzzTargets } from './values.js';

/** The fuzzing user's world: a group chat with two normal users, an order, a dispute. */
export interface FuzzWorld {
  fuzzer: TestClient;
  /** Owner of the group chat; sends during the storm. */
  alice: TestClient;
  bob: TestClient;
  performer: TestClient;
  chatId: string;
  orderId: string;
  disputeId: string;
  targets: FuzzTargets;
}

export async function buildWorld(t: TestApp): Promise<FuzzWorld> {
  const fuzzer = await makeUser(t, 'CLIENT');
  const alice = await makeUser(t, 'CLIENT');
  const bob = await makeUser(t, 'CLIENT');
  const performer = await makeUser(t, 'SPECIALIST');
  // Alice owns the group, so nothing the fuzzer sends may close or delete it.
  const chat = await makeGroup(t, alice, [fuzzer, bob], 'Fuzzed');
  const order = await makeOrder(t, fuzzer, performer);
  await moveOrder(t, performer, order.id, 'IN_PROGRESS');
  const disputed = await orderIn(t, 'IN_PROGRESS', fuzzer, performer);
  const dispute = await openDispute(t, fuzzer, disputed.id);
  const first = await must<MessageView>(t, alice, 'post', `/api/chats/${chat.id}/messages`, {
    text: 'normal seed',
  });
  // The seed's notification for the fuzzer is written after the send has answered: wait for it,
  // so that it is part of the world and not counted as the fuzzing's footprint.
  let notifications: NotificationView[] = [];
  await waitUntil(
    async () => {
      ({ items: notifications } = await must<Page<NotificationView>>(
        t,
        fuzzer,
        'get',
        '/api/notifications',
      ));
      return notifications.some((n) => n.data?.messageId === first.id);
    },
    10_000,
    'the seed message notified to the fuzzer',
  );
  return {
    fuzzer,
    alice,
    bob,
    performer,
    chatId: chat.id,
    orderId: order.id,
    disputeId: dispute.id,
    targets: {
      ids: {
        chatId: [chat.id, order.chatId, dispute.chatId],
        orderId: [order.id, disputed.id],
        disputeId: [dispute.id],
        messageId: [first.id],
        notificationId: notifications.map((n) => n.id),
      },
      userIds: [fuzzer.id, alice.id, bob.id, performer.id],
    },
  };
}

/** Everything the fuzzer could have created or changed, but the group chat's messages. */
export async function fuzzerFootprint(t: TestApp, w: FuzzWorld): Promise<unknown> {
  const get = <T>(path: string): Promise<T> => must<T>(t, w.fuzzer, 'get', path);
  const ids = (page: { items: { id: string }[] }): string[] => page.items.map((i) => i.id).sort();
  const messageIds = async (path: string): Promise<string[]> =>
    ids(await get<MessagePage>(`${path}?limit=100`));
  return {
    chats: ids(await get('/api/chats?limit=100')),
    orders: ids(await get('/api/orders')),
    disputes: ids(await get('/api/disputes')),
    notifications: ids(await get('/api/notifications?limit=100')),
    orderMessages: await messageIds(`/api/orders/${w.orderId}/messages`),
    disputeMessages: await messageIds(`/api/disputes/${w.disputeId}/messages`),
  };
}

/** Every message of a chat, ascending by seq. */
export async function allMessages(
  t: TestApp,
  user: TestClient,
  chatId: string,
): Promise<MessageView[]> {
  const messages: MessageView[] = [];
  let before: number | null = null;
  do {
    const query: string = `limit=100${before ? `&before=${before}` : ''}`;
    const page = await must<MessagePage>(t, user, 'get', `/api/chats/${chatId}/messages?${query}`);
    messages.unshift(...page.items);
    before = page.hasMore ? page.nextCursor : null;
  } while (before);
  return messages;
}
