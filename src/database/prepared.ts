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
// Always called with the client as `this` (.call/.apply below).
// eslint-disable-next-line @typescript-eslint/unbound-method
const plainQuery = pg.Client.prototype.query as unknown as Query;

/**
 * pg's query, with what our marks ask of a statement given as text and values: its name when
 * `prepare` and it is marked by prepared(), its type parsers when marked by timestampsAsText().
 */
function queryOf(prepare: boolean): Query {
  return function (this: pg.Client, ...args: unknown[]): unknown {
    const [text, values, callback] = args;
    if (typeof text !== 'string' || !Array.isArray(values)) return plainQuery.apply(this, args);
    const name = prepare ? names.get(text) : undefined;
    const types = typesOf(text);
    if (!name && !types) return plainQuery.apply(this, args);
    const config = { text, values, ...(name ? { name } : {}), ...(types ? { types } : {}) };
    return callback === undefined
      ? plainQuery.call(this, config)
      : plainQuery.call(this, config, callback);
  };
}

/** pg's Client, reading the timestamps of statements marked by timestampsAsText() as text. */
export class StatementClient extends pg.Client {}

/** The same, and sending the statements marked by `prepared()` as named statements. */
export class PreparingClient extends StatementClient {}

(StatementClient.prototype as unknown as { query: Query }).query = queryOf(false);
(PreparingClient.prototype as unknown as { query: Query }).query = queryOf(true);
