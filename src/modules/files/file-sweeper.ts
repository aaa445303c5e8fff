import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { FILE_STORAGE, type FileStorage } from './storage/file-storage.js';
import { incomingDir } from './storage/dirs.js';

const BATCH = 500;
/** A received file this old is left from a node that stopped mid-upload. */
const INCOMING_LEFT_MS = 60 * 60 * 1000;

/**
 * Removes what no one can reach any more, every FILE_SWEEP_INTERVAL_MS: unsent uploads older than
 * FILE_UNSENT_TTL_SECONDS, the stored bytes of deleted files (listed in `file_deletions` by a
 * trigger on `files`, whichever way the row went), and received files a stopped node left in
 * `incoming`. Every node sweeps (the work is idempotent). With several nodes, DATA_DIR/files must
 * be one storage they share, as downloads through any node need anyway: otherwise a node would
 * take entries off the list for bytes on another node's disk.
 */
@Injectable()
export class FileSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FileSweeper.name);
  private timer?: NodeJS.Timeout;
  private last: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const every = this.config.fileSweepIntervalMs;
    if (every === 0) return;
    this.timer = setInterval(() => {
      if (!this.busy) void this.sweep();
    }, every).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.last;
  }

  /** One pass, after any pass already going; resolves when it is done (failures are logged). */
  sweep(): Promise<void> {
    this.last = this.last.then(async () => {
      this.busy = true;
      try {
        // Each step on its own: the database being away leaves `incoming` to be cleared.
        await this.step('expiring unsent uploads', () => this.expireUnsent());
        await this.step('removing deleted files', () => this.removeDeleted());
        await this.step('clearing incoming', () => this.clearIncoming());
      } finally {
        this.busy = false;
      }
    });
    return this.last;
  }

  private async step(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn(`file sweep, ${what}: ${String(error)}`);
    }
  }

  /** Deletes old unsent uploads, oldest first; the trigger lists their bytes for removal. */
  private async expireUnsent(): Promise<void> {
    const { ttlSeconds } = this.config.unsentFiles;
    if (ttlSeconds === 0) return;
    for (;;) {
      const [{ n }] = await this.db.query<{ n: number }[]>(
        `WITH gone AS (
           DELETE FROM files WHERE id IN (
             SELECT id FROM files
             WHERE message_id IS NULL AND created_at < now() - $1::int * interval '1 second'
             ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [ttlSeconds],
      );
      if (n < BATCH) return;
    }
  }

  /**
   * Removes the bytes of deleted files, then their entries, going through the list by key: an
   * entry whose removal fails stays for the next pass without holding up the ones after it.
   */
  private async removeDeleted(): Promise<void> {
    for (let after = ''; ;) {
      const rows = await this.db.query<{ storage_key: string }[]>(
        `SELECT storage_key FROM file_deletions WHERE storage_key > $1
         ORDER BY storage_key LIMIT ${BATCH}`,
        [after],
      );
      const removed: string[] = [];
      for (const { storage_key: key } of rows) {
        try {
          await this.storage.delete(key);
          removed.push(key);
        } catch (error) {
          this.logger.warn(`file ${key} not removed: ${String(error)}`);
        }
      }
      if (removed.length > 0)
        await this.db.query(`DELETE FROM file_deletions WHERE storage_key = ANY($1::text[])`, [
          removed,
        ]);
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1].storage_key;
    }
  }

  private async clearIncoming(): Promise<void> {
    const dir = incomingDir(this.config);
    const names = await readdir(dir).catch(() => [] as string[]);
    const before = Date.now() - INCOMING_LEFT_MS;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < before) await rm(path, { force: true });
    }
  }
}
