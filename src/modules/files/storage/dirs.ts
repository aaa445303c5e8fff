import { join } from 'node:path';
import type { AppConfig } from '../../../config/app-config.js';

/** Where stored files live on this node's disk: DATA_DIR/files. */
export function filesDir(config: AppConfig): string {
  return join(config.dataDir, 'files');
}

/**
 * Where multer writes an upload while it arrives: beside the stored files (whose shards are two
 * characters long), so that storing it is a rename on the same file system.
 */
export function incomingDir(config: AppConfig): string {
  return join(filesDir(config), 'incoming');
}
