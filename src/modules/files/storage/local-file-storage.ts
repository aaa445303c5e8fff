import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileStorage } from './file-storage.js';

/** Files under one directory (DATA_DIR/files), sharded by the first characters of the key. */
export class LocalFileStorage implements FileStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Moves the received file in place; copies it when it is on another file system. */
  async put(key: string, sourcePath: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      await rename(sourcePath, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(sourcePath, path, constants.COPYFILE_EXCL);
    }
  }

  async get(key: string): Promise<Readable | null> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch {
      return null;
    }
    return createReadStream(path);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!/^[a-zA-Z0-9-]+$/.test(key)) throw new Error('invalid storage key');
    const path = join(this.root, key.slice(0, 2), key);
    if (!path.startsWith(this.root + sep)) throw new Error('invalid storage key');
    return path;
  }
}
