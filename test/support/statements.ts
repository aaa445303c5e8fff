import type { DataSource } from 'typeorm';

/** A statement the app sent, with its parameters. */
export interface RecordedCall {
  sql: string;
  parameters: unknown[] | undefined;
}

/**
 * Records the SQL the app sends through `db.query` from now on (those whose parameters `keep`
 * accepts), until `stop()` puts the original back: `statements` the texts, `calls` them with
 * their parameters.
 */
export function recordStatements(
  db: DataSource,
  keep: (parameters: unknown[] | undefined) => boolean = () => true,
): { statements: string[]; calls: RecordedCall[]; stop: () => void } {
  const query = db.query.bind(db);
  const statements: string[] = [];
  const calls: RecordedCall[] = [];
  db.query = ((sql: string, parameters?: unknown[], ...rest: unknown[]) => {
    if (keep(parameters)) {
      statements.push(sql);
      calls.push({ sql, parameters });
    }
    return (query as (...args: unknown[]) => unknown)(sql, parameters, ...rest);
  }) as DataSource['query'];
  return { statements, calls, stop: () => (db.query = query) };
}
