/**
 * Shared, short-lived state (who is connected, who has joined or is typing in which chat), kept
 * in memory on a single node or in Redis so that every node sees the same. Two kinds of entry:
 * sets whose members each run out after their TTL unless added again, and plain values.
 */
export abstract class StateStore {
  /** Adds each member to its set until `ttlMs` from now (adding again extends it). */
  abstract addMembers(entries: { key: string; member: string }[], ttlMs: number): Promise<void>;

  abstract removeMember(key: string, member: string): Promise<void>;

  /** The live members of each set, in the order of `keys`. */
  abstract members(keys: string[]): Promise<string[][]>;

  /** Sets a value, for `ttlMs` or for good. */
  abstract set(key: string, value: string, ttlMs?: number): Promise<void>;

  /** The values of `keys` (null where none), in their order. */
  abstract get(keys: string[]): Promise<(string | null)[]>;

  abstract delete(key: string): Promise<void>;

  /** Sets a value for good and returns the one it replaced, atomically. */
  abstract swap(key: string, value: string): Promise<string | null>;

  /**
   * Calls `listener` each time the store can be reached again after losing its connection; what
   * it held may have run out (or gone, if the server restarted empty) meanwhile.
   */
  abstract onRestored(listener: () => void): void;
}
