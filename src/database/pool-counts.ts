import type { DataSource } from 'typeorm';

/** What `pg.Pool` (and PGlitePool) tell about their connections. */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** The data source's pool counters; undefined before it is initialised or after it is closed. */
export function poolCounts(dataSource: DataSource): PoolCounts | undefined {
  if (!dataSource.isInitialized) return undefined;
  // TypeORM's PostgresDriver keeps its pool (pg.Pool, or PGlitePool) as `master`.
  const pool = (dataSource.driver as unknown as { master?: Partial<PoolCounts> }).master;
  if (typeof pool?.totalCount !== 'number') return undefined;
  return {
    totalCount: pool.totalCount,
    idleCount: pool.idleCount ?? 0,
    waitingCount: pool.waitingCount ?? 0,
  };
}
