import pg from 'pg';

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

/** pg's Client, sending the statements marked by `prepared()` as named statements. */
export class PreparingClient extends pg.Client {}

(PreparingClient.prototype as unknown as { query: Query }).query = function (
  this: pg.Client,
  ...args: unknown[]
): unknown {
  const [text, values, callback] = args;
  const name = typeof text === 'string' && Array.isArray(values) ? names.get(text) : undefined;
  if (!name) return plainQuery.apply(this, args);
  return callback === undefined
    ? plainQuery.call(this, { name, text, values })
    : plainQuery.call(this, { name, text, values }, callback);
};
