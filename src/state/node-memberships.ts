import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { StateStore } from './state-store.js';

const SEPARATOR = '|';
/** Memberships written per pipeline when they are all renewed. */
const RENEW_BATCH = 1000;
const NOTHING: ReadonlyMap<string, number> = new Map();

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
  /** Per key, the members this node holds in it, with how many holders each. */
  private readonly held = new Map<string, Map<string, number>>();
  private readonly ttlMs: number;
  private readonly timer: NodeJS.Timeout;
  private readonly restoredListeners: (() => void)[] = [];
  private readonly renewedListeners: (() => void)[] = [];
  /**
   * Per key, members whose removal failed (the store away), with when: removed again at each
   * renewal and when the store is back; forgotten once their entry has run out by itself.
   */
  private readonly unreleased = new Map<string, Map<string, number>>();

  constructor(
    private readonly store: StateStore,
    config: AppConfig,
  ) {
    this.ttlMs = config.presence.nodeTtlMs;
    // Removals that failed without the store going away (a command timed out) are retried too.
    this.timer = setInterval(() => void this.refresh(), Math.floor(this.ttlMs / 3));
    this.timer.unref();
    // Entries ran out while the store was away: put them back now, not at the next renewal.
    store.onRestored(() => void this.refresh(true));
  }

  /**
   * Calls `listener` each time the store comes back after an outage, once this node's memberships
   * are in it again (holds made during the outage included) and those released meanwhile are not.
   */
  onRestored(listener: () => void): void {
    this.restoredListeners.push(listener);
  }

  /**
   * Calls `listener` after each periodic renewal that wrote every membership held here, so what
   * failed to be written meanwhile (without the store going away) is in the store again.
   */
  onRenewed(listener: () => void): void {
    this.renewedListeners.push(listener);
  }

  /** One more holder of `member` in `key`; true when it is this node's first. */
  async hold(key: string, member: string): Promise<boolean> {
    let members = this.held.get(key);
    if (!members) this.held.set(key, (members = new Map<string, number>()));
    const count = (members.get(member) ?? 0) + 1;
    members.set(member, count);
    if (count > 1) return false;
    const failed = this.unreleased.get(key);
    if (failed?.delete(member) && failed.size === 0) this.unreleased.delete(key);
    await this.store.addMembers([{ key, member: this.tagged(member) }], this.ttlMs);
    return true;
  }

  /** One holder fewer; true when it was this node's last. */
  async release(key: string, member: string): Promise<boolean> {
    const members = this.held.get(key);
    const count = members?.get(member);
    if (!members || count === undefined) return false;
    if (count > 1) {
      members.set(member, count - 1);
      return false;
    }
    members.delete(member);
    if (members.size === 0) this.held.delete(key);
    try {
      await this.store.removeMember(key, this.tagged(member));
    } catch (error) {
      this.releaseLater(key, member);
      throw error;
    }
    return true;
  }

  /**
   * The members this node holds in `key`, with how many holders each: no store is asked. The
   * node's own map, live: read it at once, do not keep it.
   */
  heldHere(key: string): ReadonlyMap<string, number> {
    return this.held.get(key) ?? NOTHING;
  }

  /** The keys this node holds a member in, among those starting with `prefix`. */
  keysHeldHere(prefix: string): string[] {
    return [...this.held.keys()].filter((key) => key.startsWith(prefix));
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

  /**
   * Writes back what is held here and removes what failed to be removed; then tells the restore
   * listeners after an outage, or the renewal listeners when the store took all of it.
   */
  private async refresh(afterOutage = false): Promise<void> {
    const [renewed, released] = await Promise.all([this.renew(), this.releaseAgain()]);
    if (afterOutage) for (const listener of this.restoredListeners) listener();
    else if (renewed && released) for (const listener of this.renewedListeners) listener();
  }

  /**
   * Writes every membership held here again, RENEW_BATCH at a time: one pipeline of a node's
   * every socket and chat would hold the event loop, and the connection, while it is built.
   * True when all of them were written.
   */
  private async renew(): Promise<boolean> {
    const entries = [...this.held].flatMap(([key, members]) =>
      [...members.keys()].map((member) => ({ key, member })),
    );
    let renewed = 0;
    try {
      for (let i = 0; i < entries.length; i += RENEW_BATCH) {
        // Still held as the batch goes out: one released while an earlier batch was written was
        // removed from the store already, and must not be put back.
        const batch = entries
          .slice(i, i + RENEW_BATCH)
          .filter(({ key, member }) => this.held.get(key)?.has(member))
          .map(({ key, member }) => ({ key, member: this.tagged(member) }));
        await this.store.addMembers(batch, this.ttlMs);
        renewed += batch.length;
      }
      return true;
    } catch (error) {
      this.logger.error(
        `could not renew memberships (${renewed} of ${entries.length} written): ${String(error)}`,
      );
      return false;
    }
  }

  /**
   * Removes what failed to be removed, but for members held here again since and those whose
   * entry has run out by itself. True when every removal went through.
   */
  private async releaseAgain(): Promise<boolean> {
    const expired = Date.now() - this.ttlMs;
    const entries = [...this.unreleased].flatMap(([key, members]) =>
      [...members]
        .filter(([member, at]) => at > expired && !this.held.get(key)?.has(member))
        .map(([member, at]) => ({ key, member, at })),
    );
    this.unreleased.clear();
    let failed = 0;
    let lastError: unknown;
    await Promise.all(
      entries.map(async ({ key, member, at }) => {
        try {
          await this.store.removeMember(key, this.tagged(member));
        } catch (error) {
          this.releaseLater(key, member, at);
          failed += 1;
          lastError = error;
        }
      }),
    );
    if (failed > 0) {
      this.logger.error(`could not release ${failed} memberships: ${String(lastError)}`);
    }
    return failed === 0;
  }

  private releaseLater(key: string, member: string, at = Date.now()): void {
    let failed = this.unreleased.get(key);
    if (!failed) this.unreleased.set(key, (failed = new Map<string, number>()));
    failed.set(member, at);
  }

  /** `member` as this node writes it (`member|node`), which `members` reads back as `member`. */
  tagged(member: string): string {
    return member + SEPARATOR + this.nodeId;
  }
}
