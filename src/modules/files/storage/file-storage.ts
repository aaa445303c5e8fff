import type { Readable } from 'node:stream';

/** Where uploaded bytes live. Local disk by default; an S3-compatible store can implement this. */
export interface FileStorage {
  /** Takes the bytes of a received upload, a file of its own that it may move or remove. */
  put(key: string, sourcePath: string): Promise<void>;
  /** A stream of the object, or null when it is gone. */
  get(key: string): Promise<Readable | null>;
  delete(key: string): Promise<void>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');
