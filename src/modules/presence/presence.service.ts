import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';
import { AppConfig } from '../../config/app-config.js';
import { SocketEvent, type SocketLifecycleEvent } from '../../realtime/socket-events.js';
import { NodeMemberships } from '../../state/node-memberships.js';
import { StateStore } from '../../state/state-store.js';
import {
  PresenceDomainEvent,
  type PresenceChangedEvent,
  type PresenceStatus,
  type PresenceView,
} from './presence.types.js';

const CONNECTED = 'presence:conn:';
const key = {
  /** Nodes with a socket of the user (a NodeMemberships set). */
  connected: (userId: string) => CONNECTED + userId,
  /** Until when (epoch ms) a REST heartbeat keeps the user online. */
  heartbeat: (userId: string) => `presence:hb:${userId}`,
  away: (userId: string) => `presence:away:${userId}`,
  lastSeen: (userId: string) => `presence:seen:${userId}`,
  /** The status last announced, so that only changes are announced. */
  announced: (userId: string) => `presence:status:${userId}`,
  /** Users last announced online or away: what the sweep re-checks. */
  present: 'presence:present',
};

/** Users rechecked at once (a few commands each). */
const RECHECK_CHUNK = 500;

/**
 * How long a user stays in `present` unless re-announced or renewed: what a failed removal leaves
 * there goes by itself. A node's sweep renews the users it finds still present once a day, so a
 * user online for weeks is still swept when their node crashes.
 */
const PRESENT_TTL_MS = 7 * 24 * 3600 * 1000;
const PRESENT_RENEWAL_MS = 24 * 3600 * 1000;

/**
 * Online while any socket of the user is connected, in any namespace on any node, or until
 * PRESENCE_TTL_MS after a REST heartbeat; away when they say so; offline otherwise. A user's last
 * socket on a node keeps its hold for PRESENCE_GRACE_MS after it closes, so a quick reconnect
 * changes nothing, and every node and every lookup sees the user online meanwhile. Every change
 * is published once as `presence.status_changed`.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PresenceService.name);
  /** One change at a time per user on this node, in arrival order. */
  private readonly queue = new KeyedQueue();
  /** Per user, the pending re-check (the end of a heartbeat). */
  private readonly checks = new Map<string, NodeJS.Timeout>();
  /**
   * Per user whose last socket here closed, the end of its grace period: the hold is kept in the
   * store until then, and a socket of theirs connecting meanwhile takes it over.
   */
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  /**
   * Users a change failed for part-way (the store away or too slow): the status may have been
   * swapped and never announced, so their next recompute announces whatever it finds. Rechecked
   * after the next renewal of this node's memberships, or when the store is back.
   */
  private readonly unsettled = new Set<string>();
  /**
   * When the last socket here closed, for users whose hold could not be let go after their grace
   * period: the recheck that announces them offline gives that time as `lastSeen`.
   */
  private readonly departed = new Map<string, string>();
  /** Set once the node is closing: a last socket's hold is let go at once, not kept. */
  private closing = false;
  /** The recheck running now, and the one asked for meanwhile. */
  private rechecking?: Promise<void>;
  private recheckNext?: 'everyone' | 'unsettled';
  private sweeper?: NodeJS.Timeout;
  /** When this node's sweep last renewed `present` (never: its first sweep does). */
  private presentRenewedAt = -Infinity;

  constructor(
    private readonly store: StateStore,
    private readonly memberships: NodeMemberships,
    private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  @OnEvent(SocketEvent.Connected)
  connected({ userId }: SocketLifecycleEvent): void {
    this.serially(userId, async () => {
      this.departed.delete(userId);
      const lingering = this.lingering.get(userId);
      if (lingering) {
        // Back within the grace period: the hold kept for the closed socket is this one's now.
        clearTimeout(lingering);
        this.lingering.delete(userId);
        await this.recompute(userId);
        return;
      }
      try {
        await this.memberships.hold(key.connected(userId), userId);
      } catch (error) {
        // Held here all the same: its status is worked out once the next renewal or restore has
        // written the hold.
        this.unsettled.add(userId);
        throw error;
      }
      await this.recompute(userId);
    });
  }

  @OnEvent(SocketEvent.Disconnected)
  disconnected({ userId }: SocketLifecycleEvent): void {
    this.serially(userId, async () => {
      // Once the node is closing, nothing would let a kept hold go: it goes at once.
      if (!this.closing && this.memberships.heldHere(key.connected(userId)).get(userId) === 1) {
        this.linger(userId);
        return;
      }
      await this.memberships.release(key.connected(userId), userId);
    });
  }

  /**
   * Keeps the hold of the user's last socket here for PRESENCE_GRACE_MS, then lets it go and works
   * out their status, with the time the socket closed as `lastSeen`.
   */
  private linger(userId: string): void {
    const leftAt = new Date().toISOString();
    const timer = setTimeout(() => {
      this.serially(userId, async () => {
        // A socket of the user connected meanwhile, and took the hold over.
        if (this.lingering.get(userId) !== timer) return;
        this.lingering.delete(userId);
        // Whatever fails below, the recheck that works out their status gives this as lastSeen.
        this.departed.set(userId, leftAt);
        try {
          await this.memberships.release(key.connected(userId), userId);
          await this.recompute(userId);
        } catch (error) {
          // This node holds the user no more, so only the next recheck of unsettled users will
          // work out their status: while their offline announcement is still owed (once it went
          // out, `departed` is gone, and a failure after it owes nothing).
          if (this.departed.has(userId)) this.unsettled.add(userId);
          throw error;
        }
      });
    }, this.config.presence.graceMs);
    timer.unref();
    this.lingering.set(userId, timer);
  }

  /** REST heartbeat: online for PRESENCE_TTL_MS more. */
  async heartbeat(userId: string): Promise<PresenceView> {
    const until = Date.now() + this.config.presence.ttlMs;
    await this.store.set(key.heartbeat(userId), String(until), this.config.presence.ttlMs);
    return this.queue.run(userId, () => this.recompute(userId));
  }

  /** `away` until the user says `online` or goes offline. */
  async setStatus(userId: string, status: 'online' | 'away'): Promise<PresenceView> {
    if (status === 'away') await this.store.set(key.away(userId), '1');
    else await this.store.delete(key.away(userId));
    return this.queue.run(userId, () => this.recompute(userId));
  }

  /** The presence of each user, in the order asked, from the shared state. */
  async of(userIds: string[]): Promise<PresenceView[]> {
    return (await this.read(userIds)).map(({ view }) => view);
  }

  /**
   * Every PRESENCE_NODE_TTL_MS, re-checks the users announced present: those whose sockets were
   * on a node that crashed or shut down, or whose heartbeat ran out unseen, are announced
   * offline. Every node sweeps; the atomic swap lets only one announce each change. Unsettled
   * users are rechecked after each renewal of this node's memberships (a change that failed
   * without the store going away, a command timing out, is rechecked by no restore) and after
   * an outage.
   */
  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.config.presence.nodeTtlMs);
    this.sweeper.unref();
    this.memberships.onRestored(() => this.recheck(true));
    this.memberships.onRenewed(() => {
      if (this.unsettled.size > 0) this.recheck(false);
    });
  }

  /**
   * The holds kept for a grace period end with the node: they are let go now (the store is closed
   * only at application shutdown, after this), so other nodes' sweeps find those users gone.
   * Announcing is left to those sweeps: the user may be reconnecting to another node.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const leaving = [...this.lingering.keys()];
    for (const timers of [this.checks, this.lingering]) {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    }
    // In each user's queue: a change of theirs still waiting (a slow store) runs first.
    const released = await Promise.allSettled(
      leaving.map((userId) =>
        this.queue.run(userId, () => this.memberships.release(key.connected(userId), userId)),
      ),
    );
    const failed = released.filter((r) => r.status === 'rejected').length;
    if (failed > 0) this.logger.warn(`${failed} presence holds left to run out by themselves`);
  }

  async sweep(): Promise<void> {
    try {
      const [present] = await this.store.members([key.present]);
      const states = await this.read(present);
      const stillPresent: string[] = [];
      for (const { view } of states) {
        if (view.status === 'offline')
          this.serially(view.userId, () => this.recompute(view.userId));
        else stillPresent.push(view.userId);
      }
      await this.renewPresent(stillPresent);
    } catch (error) {
      this.logger.error(`presence sweep failed: ${String(error)}`);
    }
  }

  private async renewPresent(userIds: string[]): Promise<void> {
    const now = Date.now();
    if (now - this.presentRenewedAt < PRESENT_RENEWAL_MS) return;
    for (let i = 0; i < userIds.length; i += RECHECK_CHUNK) {
      const chunk = userIds.slice(i, i + RECHECK_CHUNK);
      await this.store.addMembers(
        chunk.map((member) => ({ key: key.present, member })),
        PRESENT_TTL_MS,
      );
    }
    this.presentRenewedAt = now;
  }

  /**
   * Works out again the status of every unsettled user and, after a store outage (`everyone`),
   * of everyone connected here (a user who connected meanwhile was never announced; a store that
   * restarted empty announced no one). One recheck at a time, RECHECK_CHUNK users at a time; a
   * request meanwhile runs once it is done, with the wider of the scopes asked for.
   */
  private recheck(everyone: boolean): void {
    if (this.rechecking) {
      this.recheckNext = this.recheckNext === 'everyone' || everyone ? 'everyone' : 'unsettled';
      return;
    }
    this.rechecking = this.recheckNow(everyone)
      .catch((error: unknown) => this.logger.error(`presence recheck failed: ${String(error)}`))
      .finally(() => {
        this.rechecking = undefined;
        const next = this.recheckNext;
        this.recheckNext = undefined;
        if (next) this.recheck(next === 'everyone');
      });
  }

  private async recheckNow(everyone: boolean): Promise<void> {
    const users = new Set(this.unsettled);
    if (everyone) {
      for (const held of this.memberships.keysHeldHere(CONNECTED)) {
        users.add(held.slice(CONNECTED.length));
      }
    }
    const ids = [...users];
    let failed = 0;
    for (let i = 0; i < ids.length; i += RECHECK_CHUNK) {
      const chunk = ids.slice(i, i + RECHECK_CHUNK);
      await Promise.all(
        chunk.map((userId) =>
          this.queue.run(userId, () => this.recompute(userId)).catch(() => (failed += 1)),
        ),
      );
    }
    if (failed > 0) this.logger.error(`presence of ${failed} of ${ids.length} users not rechecked`);
  }

  private async read(
    userIds: string[],
  ): Promise<
    { view: PresenceView; connected: boolean; unwritten: boolean; heartbeatUntil: number | null }[]
  > {
    if (userIds.length === 0) return [];
    const [connections, values] = await Promise.all([
      this.memberships.members(userIds.map(key.connected)),
      this.store.get(userIds.flatMap((u) => [key.heartbeat(u), key.away(u), key.lastSeen(u)])),
    ]);
    return userIds.map((userId, i) => {
      const [heartbeat, away, lastSeen] = values.slice(i * 3, i * 3 + 3);
      // This node's own sockets count even before their hold is in the store (it failed, and
      // waits for the next renewal).
      const unwritten =
        connections[i].length === 0 && this.memberships.heldHere(key.connected(userId)).has(userId);
      const connected = connections[i].length > 0 || unwritten;
      const heartbeatUntil = heartbeat === null ? null : Number(heartbeat);
      const live = connected || (heartbeatUntil !== null && heartbeatUntil > Date.now());
      const status: PresenceStatus = live ? (away ? 'away' : 'online') : 'offline';
      return {
        view: { userId, status, lastSeen: status === 'offline' ? lastSeen : null },
        connected,
        unwritten,
        heartbeatUntil,
      };
    });
  }

  /**
   * Works out the user's status now and announces it if it is not what was last announced. The
   * read and the swap are two steps, so another node may change the state in between: the state
   * is read again after the swap, and a difference is worked out once more. An offline user is
   * announced with `leftAt` as `lastSeen`, when given (their last socket's close), else now.
   */
  private async recompute(
    userId: string,
    rounds = 3,
    leftAt = this.departed.get(userId),
  ): Promise<PresenceView> {
    const wasUnsettled = this.unsettled.delete(userId);
    // Whether a failure now leaves the user unsettled: from the swap until the announcement is
    // out (the two may be left apart), or all along for one who was already.
    let exposed = wasUnsettled;
    try {
      const [{ view, connected, unwritten, heartbeatUntil }] = await this.read([userId]);
      if (!connected && heartbeatUntil !== null)
        this.checkLater(userId, heartbeatUntil - Date.now());
      exposed = true;
      const previous = (await this.store.swap(key.announced(userId), view.status)) ?? 'offline';
      if (previous !== view.status || wasUnsettled) await this.announce(view, leftAt);
      // Announced offline already, maybe still in `present` (renewed by a sweep that read them
      // just before, or a removal failed): out, or every sweep reads them again for a week. Best
      // effort: the entry runs out by itself anyway, and a failure here must not unsettle them.
      else if (view.status === 'offline')
        await this.store.removeMember(key.present, userId).catch(() => undefined);
      this.departed.delete(userId);
      // Connected only as far as this node knows: other nodes, reading the store, may announce
      // the user offline meanwhile, so they are worked out again once the renewal wrote the hold.
      exposed = unwritten;
      if (unwritten) this.unsettled.add(userId);
      if (rounds > 1) {
        const [again] = await this.read([userId]);
        if (again.view.status !== view.status) return this.recompute(userId, rounds - 1, leftAt);
      }
      return view;
    } catch (error) {
      if (exposed) this.unsettled.add(userId);
      throw error;
    }
  }

  private async announce(view: PresenceView, leftAt?: string): Promise<void> {
    if (view.status === 'offline') {
      view.lastSeen = leftAt ?? new Date().toISOString();
      await this.store.set(key.lastSeen(view.userId), view.lastSeen);
      await this.store.delete(key.away(view.userId));
      await this.store.removeMember(key.present, view.userId);
    } else {
      await this.store.addMembers([{ key: key.present, member: view.userId }], PRESENT_TTL_MS);
    }
    const event: PresenceChangedEvent = { ...view, timestamp: new Date().toISOString() };
    this.events.emit(PresenceDomainEvent.StatusChanged, event);
  }

  private checkLater(userId: string, ms: number): void {
    if (this.closing) return;
    clearTimeout(this.checks.get(userId));
    const timer = setTimeout(
      () => {
        this.checks.delete(userId);
        this.serially(userId, () => this.recompute(userId));
      },
      Math.max(0, ms) + 5,
    );
    timer.unref();
    this.checks.set(userId, timer);
  }

  private serially(userId: string, task: () => Promise<unknown>): void {
    this.queue.run(userId, task).catch((error: unknown) => {
      this.logger.error(`presence of ${userId} not updated: ${String(error)}`);
    });
  }
}
