import { Injectable, Logger } from '@nestjs/common';
import { NodeMemberships } from '../../state/node-memberships.js';

const joinedKey = (chatId: string): string => `chat:joined:${chatId}`;

/**
 * Who has a socket joined to which chat, on every node (through the shared state store): for
 * getActiveUsers, and for notifications, which spare users who are looking at the chat.
 */
@Injectable()
export class ActiveUsers {
  private readonly logger = new Logger(ActiveUsers.name);

  constructor(private readonly memberships: NodeMemberships) {}

  joined(chatId: string, userId: string): void {
    this.memberships
      .hold(joinedKey(chatId), userId)
      .catch((error: unknown) =>
        this.logger.error(`join of ${chatId} not shared: ${String(error)}`),
      );
  }

  left(chatId: string, userId: string): void {
    this.memberships
      .release(joinedKey(chatId), userId)
      .catch((error: unknown) =>
        this.logger.error(`leave of ${chatId} not shared: ${String(error)}`),
      );
  }

  /** Users with a socket joined to the chat on this node (a few of `of`'s, asking no store). */
  joinedHere(chatId: string): ReadonlyMap<string, number> {
    return this.memberships.heldHere(joinedKey(chatId));
  }

  /** Users with a socket joined to the chat, on any node and namespace. */
  async of(chatId: string): Promise<string[]> {
    const [userIds] = await this.memberships.members([joinedKey(chatId)]);
    return userIds;
  }
}
