import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { StateStore } from './state-store.js';

const SEPARATOR = '|';

/**
 * Set memberships held by this node's sockets (a user connected, a user joined to a chat),
 * counted per socket and mirrored to the shared store as `member|node` with PRESENCE_NODE_TTL_MS,
 * renewed every third of it while held, and at once when the store comes back after an outage.
 * A crashed node's entries run out by themselves, and entries a failed store write missed come
 * back with the next renewal.
 */
@Injectable()
export class NodeMemberships implements OnModuleDestroy {
  readonly nodeId = randomUUID();
  private readonly logger = new Logger(NodeMemberships.name);
  private readonly held = new Map<string, { key: string; member: string; count: number }>();
  private readonly ttlMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: StateStore,
    config: AppConfig,
  ) {
    this.ttlMs = config.presence.nodeTtlMs;
    this.timer = setInterval(() => void this.renew(), Math.floor(this.ttlMs / 3));
    this.timer.unref();
    // Entries ran out while the store was away: put them back now, not at the next renewal.
    store.onRestored(() => void this.renew());
  }

  /** One more holder of `member` in `key`; true when it is this node's first. */
  async hold(key: string, member: string): Promise<boolean> {
    const id = key + '\n' + member;
    const entry = this.held.get(id) ?? { key, member, count: 0 };
    entry.count++;
    this.held.set(id, entry);
    if (entry.count > 1) return false;
    await this.store.addMembers([{ key, member: this.tagged(member) }], this.ttlMs);
    return true;
  }

  /** One holder fewer; true when it was this node's last. */
  async release(key: string, member: string): Promise<boolean> {
    const id = key + '\n' + member;
    const entry = this.held.get(id);
    if (!entry) return false;
    if (--entry.count > 0) return false;
    this.held.delete(id);
    await this.store.removeMember(key, this.tagged(member));
    return true;
  }

  /** Whether this node holds `member` in `key`. */
  holds(key: string, member: string): boolean {
    return this.held.has(key + '\n' + member);
  }

  /** The members of each key held on any node, each once. */
  async members(keys: string[]): Promise<string[][]> {
    const sets = await this.store.members(keys);
    return sets.map((tagged) => [
      ...new Set(tagged.map((t) => t.slice(0, t.lastIndexOf(SEPARATOR)))),
    ]);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    const entries = [...this.held.values()].map(({ key, member }) => ({
      key,
      member: this.tagged(member),
    }));
    try {
      await this.store.addMembers(entries, this.ttlMs);
    } catch (error) {
      this.logger.error(`could not renew ${entries.length} memberships: ${String(error)}`);
    }
  }

  /** `member` as this node writes it (`member|node`), which `members` reads back as `member`. */
  tagged(member: string): string {
    return member + SEPARATOR + this.nodeId;
  }
}
