import { Injectable } from '@nestjs/common';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';

/**
 * Per chat, one change at a time on this node, each published before the next is made: sends,
 * SYSTEM messages, edits, reactions, status changes and deletion. What a chat's members are told
 * then follows the order of its commits (no newMessage after the chatStatusChanged of a close that
 * came later, no messageUpdated after the messageDeleted of the same message).
 *
 * Sends wait for their turn in groups that take later sends while they wait; anything else queued
 * for the chat closes its open group, so what is sent after it is stored after it.
 */
@Injectable()
export class ChatSequence extends KeyedQueue {
  /** Per chat, the group of sends that waits for its turn and still takes more. */
  private readonly open = new Map<string, unknown[]>();

  override run<T>(chatId: string, task: () => Promise<T>): Promise<T> {
    this.open.delete(chatId);
    return super.run(chatId, task);
  }

  /**
   * The chat's open group if `joins` it, else a new one, queued to be handed to `store` when its
   * turn comes (it takes no more from then on). The caller adds to the group it gets at once.
   */
  gather<Item>(
    chatId: string,
    joins: (group: Item[]) => boolean,
    store: (group: Item[]) => Promise<void>,
  ): Item[] {
    const current = this.open.get(chatId) as Item[] | undefined;
    if (current && joins(current)) return current;
    const group: Item[] = [];
    this.open.set(chatId, group);
    void super.run(chatId, () => {
      if (this.open.get(chatId) === group) this.open.delete(chatId);
      return store(group);
    });
    return group;
  }
}
