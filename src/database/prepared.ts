import pg from 'pg';
import { typesOf } from './timestamps.js';

/** Statement name of each text marked hot, numbered in the order they were marked. */
const names = new Map<string, string>();

/**
 * Marks a hot statement: on PostgreSQL each pooled connection parses and plans it once, as a
 * named prepared statement, and reuses it (planning was most of PostgreSQL's CPU for our small
 * queries). Only for fixed texts whose plan does not depend on the values: no `$n IS NULL OR …`
 * branches, which a generic plan cannot prune. Embedded PGlite runs every statement as before.
 */
export function prepared(text: string): string {
  if (!names.has(text)) names.set(text, `hot_${names.size + 1}`);
  return text;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
type Callback = (error: Error | null, result?: unknown) => void;
// Always called with the client as `this` (.call/.apply below).
// eslint-disable-next-line @typescript-eslint/unbound-method
const plainQuery = pg.Client.prototype.query as unknown as Query;

/** A statement sent and not answered yet: when to give up on it, and how. */
interface Read {
  deadline: number;
  expire: () => void;
}

/** How often unanswered statements are checked: a read timeout fires up to this much late. */
const SWEEP_MS = 250;
/** Every connection's unanswered statements, checked by one timer that ticks while there are any. */
const unanswered = new Set<Read>();
let sweeper: NodeJS.Timeout | undefined;

function watch(read: Read): void {
  unanswered.add(read);
  sweeper ??= setInterval(sweep, SWEEP_MS).unref();
}

function sweep(): void {
  const now = performance.now();
  const expired = [...unanswered].filter((read) => read.deadline <= now);
  for (const read of expired) read.expire();
  if (unanswered.size === 0) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/**
 * pg's Client with what our marks ask of a statement given as text: its type parsers when it is
 * marked by timestampsAsText(); and a read timeout, `readTimeoutMs` in its options (the pool's).
 *
 * With pg's own `query_timeout`, and with its promise form (a call without a callback, as TypeORM
 * makes), each on its own, every result survived a young collection and was copied to the old
 * generation, there to die (measured with --trace-gc-nvp; a heap snapshot, which collects first,
 * shows nothing held). At 100 history pages a second a fifth of what the app allocated was copied
 * twice, and each young collection stopped the app for ~10 ms, which set the history tail. So every
 * text statement is sent in pg's callback form, promised here, and timed by `unanswered` above,
 * which lets go of a statement once it is answered. A statement unanswered `readTimeoutMs` after
 * it was handed to the client (the server hung, or the network between) fails with `Query read
 * timeout`, and the client is ended first: what waits behind it on that connection fails at once
 * instead of in turn, and the pool discards the client when it comes back instead of lending it
 * again. Statements given as a config object or a submittable (a cursor, a stream; nothing of ours)
 * go to pg as they came, without this timeout.
 */
export class StatementClient extends pg.Client {
  /** 0: none. Lifted while a migration builds an index (withoutTimeouts()). */
  readTimeoutMs: number;

  constructor(config?: string | (pg.ClientConfig & { readTimeoutMs?: number })) {
    super(config);
    this.readTimeoutMs = typeof config === 'object' ? (config.readTimeoutMs ?? 0) : 0;
  }
}

/** The same, and sending the statements marked by `prepared()` as named statements. */
export class PreparingClient extends StatementClient {}

function queryOf(prepare: boolean): Query {
  return function (this: StatementClient, ...args: unknown[]): unknown {
    const [text, second, third] = args;
    if (typeof text !== 'string') return plainQuery.apply(this, args);
    const callback = [second, third].find((arg) => typeof arg === 'function') as
      Callback | undefined;
    const name = prepare ? names.get(text) : undefined;
    const types = typesOf(text);
    const config = {
      text,
      values: Array.isArray(second) ? (second as unknown[]) : undefined,
      ...(name ? { name } : {}),
      ...(types ? { types } : {}),
    };
    if (callback) return send(this, config, callback);
    return new Promise((resolve, reject) =>
      send(this, config, (error, result) => (error ? reject(error) : resolve(result))),
    );
  } as Query;
}

function send(client: StatementClient, config: object, callback: Callback): void {
  if (!client.readTimeoutMs) {
    plainQuery.call(client, config, callback);
    return;
  }
  let answered = false;
  const answer: Callback = (error, result) => {
    if (answered) return;
    answered = true;
    unanswered.delete(read);
    callback(error, result);
  };
  const read: Read = {
    deadline: performance.now() + client.readTimeoutMs,
    expire: () => {
      // Ending first marks the client as going: the pool discards it when it comes back, and its
      // socket dropping raises no 'error' (pg raises one for a socket that drops by itself).
      void client.end();
      client.connection.stream.destroy();
      answer(new Error('Query read timeout'));
    },
  };
  plainQuery.call(client, config, answer);
  if (!answered) watch(read);
}

(StatementClient.prototype as unknown as { query: Query }).query = queryOf(false);
(PreparingClient.prototype as unknown as { query: Query }).query = queryOf(true);
