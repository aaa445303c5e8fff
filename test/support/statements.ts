import type { DataSource } from 'typeorm';

/**
 * Records the SQL the app sends through `db.query` from now on (those whose parameters `keep`
 * accepts), until `stop()` puts the original back.
 */
export function recordStatements(
  db: DataSource,
  keep: (parameters: unknown[] | undefined) => boolean = () => true,
): { statements: string[]; stop: () => void } {
  const query = db.query.bind(db);
  const statements: string[] = [];
  db.query = ((sql: string, parameters?: unknown[], ...rest: unknown[]) => {
    if (keep(parameters)) statements.push(sql);
    return (query as (...args: unknown[]) => unknown)(sql, parameters, ...rest);
  }) as DataSource['query'];
  return { statements, stop: () => (db.query = query) };
}
