import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import { MemoryStateStore } from '../../state/memory-state.store.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { ActiveUsers } from '../chat/active-users.js';
import type { ChatService } from '../chat/chat.service.js';
import type { MessageView } from '../chat/chat.types.js';
import { MessageType } from '../chat/entities/message.entity.js';
import { NotificationProducers } from './notification-producers.js';
import type { NotificationsService } from './notifications.service.js';

const config = { presence: { nodeTtlMs: 60_000 } } as unknown as AppConfig;

/** The memory store, counting reads of members and failing them while `down`. */
class CountingStore extends MemoryStateStore {
  reads = 0;
  down = false;

  override members(keys: string[]): Promise<string[][]> {
    this.reads++;
    if (this.down) return Promise.reject(new Error('store away'));
    return super.members(keys);
  }
}

/** What the producers asked for: who gets a reply notification, who a `message.new`. */
interface Asked {
  replies: string[][];
  coalesced: string[][];
}

function message(over: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    chatId: 'c1',
    seq: 1,
    senderId: 'ann',
    senderRole: 'CLIENT',
    type: MessageType.Text,
    text: 'hi',
    attachments: [],
    replyToId: null,
    replyTo: null,
    clientMessageId: null,
    reactions: [],
    isDeleted: false,
    deletedAt: null,
    editedAt: null,
    createdAt: new Date(0).toISOString(),
    ...over,
  };
}

/** Until the producers' work (promises on a memory store) has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('NotificationProducers on message.created', () => {
  let store: CountingStore;
  let here: NodeMemberships;
  let elsewhere: NodeMemberships;
  let active: ActiveUsers;
  let asked: Asked;
  let producers: NotificationProducers;
  /** Users the chat service was asked about, and those it says may read the chat. */
  let looked: string[];
  let staff: Set<string>;

  beforeEach(() => {
    store = new CountingStore();
    here = new NodeMemberships(store, config);
    elsewhere = new NodeMemberships(store, config);
    active = new ActiveUsers(here);
    asked = { replies: [], coalesced: [] };
    const notifications = {
      notify: (userIds: string[]) => {
        asked.replies.push(userIds);
        return Promise.resolve([]);
      },
      notifyCoalesced: (userIds: string[]) => {
        asked.coalesced.push(userIds);
        return Promise.resolve();
      },
    } as unknown as NotificationsService;
    looked = [];
    staff = new Set();
    const chats = {
      readableByStaff: (userId: string) => {
        looked.push(userId);
        return Promise.resolve(staff.has(userId));
      },
    } as unknown as ChatService;
    producers = new NotificationProducers(notifications, active, chats);
  });

  afterEach(() => {
    here.onModuleDestroy();
    elsewhere.onModuleDestroy();
  });

  const send = async (members: string[], over?: Partial<MessageView>) => {
    producers.messageCreated({ message: message(over), memberIds: members, origin: undefined });
    await settle();
  };

  it('asks no store when every other member is joined on this node', async () => {
    active.joined('c1', 'bob');
    active.joined('c1', 'cat');
    await settle();
    await send(['ann', 'bob', 'cat']);
    expect(store.reads).toBe(0);
    expect(asked).toEqual({ replies: [], coalesced: [] });
  });

  it('asks the store about the others only, and spares who is joined on another node', async () => {
    active.joined('c1', 'bob');
    new ActiveUsers(elsewhere).joined('c1', 'cat');
    await settle();
    await send(['ann', 'bob', 'cat', 'dan']);
    expect(store.reads).toBe(1);
    expect(asked.coalesced).toEqual([['dan']]);
  });

  it('notifies a member who left the chat on this node', async () => {
    active.joined('c1', 'bob');
    active.left('c1', 'bob');
    await settle();
    await send(['ann', 'bob']);
    expect(asked.coalesced).toEqual([['bob']]);
  });

  it('notifies the author of the replied message, though joined here, with no lookup', async () => {
    active.joined('c1', 'bob');
    await settle();
    const replyTo = { id: 'm0', senderId: 'bob', text: 'hello', isDeleted: false };
    await send(['ann', 'bob'], { replyToId: 'm0', replyTo });
    expect(store.reads).toBe(0);
    expect(looked).toEqual([]);
    expect(asked).toEqual({ replies: [['bob']], coalesced: [] });
  });

  const replyToStaff = { id: 'm0', senderId: 'mod', text: 'hello', isDeleted: false };

  it('notifies the author of the replied message who is no member, if they may read the chat', async () => {
    active.joined('c1', 'bob');
    await settle();
    staff.add('mod');
    await send(['ann', 'bob'], { replyToId: 'm0', replyTo: replyToStaff });
    expect(looked).toEqual(['mod']);
    expect(asked).toEqual({ replies: [['mod']], coalesced: [] });
  });

  it('does not notify an author who is no member and may not read the chat', async () => {
    active.joined('c1', 'bob');
    await settle();
    await send(['ann', 'bob'], { replyToId: 'm0', replyTo: replyToStaff });
    expect(looked).toEqual(['mod']);
    expect(asked).toEqual({ replies: [], coalesced: [] });
  });

  it('with the store away, still spares who is joined here and notifies the rest', async () => {
    active.joined('c1', 'bob');
    await settle();
    store.down = true;
    await send(['ann', 'bob', 'cat']);
    expect(store.reads).toBe(1);
    expect(asked.coalesced).toEqual([['cat']]);
  });

  it('makes nothing of a SYSTEM message', async () => {
    await send(['ann', 'bob'], { type: MessageType.System, senderId: null });
    expect(store.reads).toBe(0);
    expect(asked).toEqual({ replies: [], coalesced: [] });
  });
});
