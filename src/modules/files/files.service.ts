import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../common/auth/actor.js';
import { DomainException, invalidField } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { clip } from '../../common/text/clip.js';
import { AppConfig } from '../../config/app-config.js';
import { canAccessChat } from '../chat/chat.policy.js';
import type { AttachmentView } from '../chat/chat.types.js';
import type { ChatType } from '../chat/entities/chat.entity.js';
import { FileUrlSigner } from './file-url.signer.js';
import { FILE_STORAGE, type FileStorage } from './storage/file-storage.js';

/** A received upload, as multer's disk storage leaves it: a file of its own under `incoming`. */
export interface Upload {
  originalname: string;
  mimetype: string;
  size: number;
  path: string;
}

export interface FileContent {
  fileName: string;
  mimeType: string;
  size: number;
  stream: Readable;
}

interface FileRow {
  id: string;
  uploader_id: string;
  file_name: string;
  mime_type: string;
  size: number;
  storage_key: string;
  chat_id: string | null;
}

@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly signer: FileUrlSigner,
    private readonly config: AppConfig,
  ) {}

  async upload(actor: Actor, file: Upload | undefined): Promise<AttachmentView> {
    try {
      return await this.store(actor, file);
    } finally {
      // Moved into storage, or refused: either way the received file goes.
      if (file) await rm(file.path, { force: true }).catch(() => undefined);
    }
  }

  private async store(actor: Actor, file: Upload | undefined): Promise<AttachmentView> {
    if (!file)
      throw invalidField(
        'file',
        'isDefined',
        'a multipart field "file" is required',
        'a multipart field "file" is required',
      );
    const mimeType = file.mimetype.toLowerCase();
    if (!this.config.fileAllowedTypes.includes(mimeType)) {
      throw invalidField(
        'file',
        'allowedType',
        `files of type ${mimeType} are not accepted`,
        `files of type ${mimeType} are not accepted`,
      );
    }
    const id = randomUUID();
    const fileName = safeFileName(file.originalname);
    const { perUser } = this.config.unsentFiles;
    // The bytes first, then the row: once a row exists its bytes do, so whatever deletes the
    // row (and so lists its bytes for removal) finds them. The cap on unsent uploads is checked
    // by the INSERT (racing uploads may pass it by their number).
    await this.storage.put(id, file.path);
    let inserted: unknown[];
    try {
      inserted = await this.db.query<unknown[]>(
        `INSERT INTO files (id, uploader_id, file_name, mime_type, size, storage_key)
         SELECT $1::uuid, $2, $3, $4, $5, $1::text
         WHERE ${hasRoom('$2', '$6')}
         RETURNING id`,
        [id, actor.id, fileName, mimeType, file.size, perUser],
      );
    } catch (error) {
      await this.removeBytes(id);
      throw error;
    }
    if (inserted.length === 0) {
      await this.removeBytes(id);
      throw overCap(perUser);
    }
    return { id, fileName, mimeType, size: file.size, url: this.signer.url(id) };
  }

  /**
   * Refuses (CONFLICT) a user who holds as many unsent uploads as allowed: checked before an
   * upload's body is parsed, so one at the cap is neither written nor stored (Node reads what
   * the client still sends and drops it). The INSERT checks again.
   */
  async assertRoom(userId: string): Promise<void> {
    const { perUser } = this.config.unsentFiles;
    if (perUser === 0) return;
    const [{ room }] = await this.db.query<{ room: boolean }[]>(
      `SELECT ${hasRoom('$1', '$2')} AS room`,
      [userId, perUser],
    );
    if (!room) throw overCap(perUser);
  }

  /** Bytes no row points to (a refused upload): a failure leaves them to no one, so it is logged. */
  private async removeBytes(id: string): Promise<void> {
    await this.storage
      .delete(id)
      .catch((error: unknown) => this.logger.warn(`upload ${id} not removed: ${String(error)}`));
  }

  /**
   * The bytes, for a valid signed link, or for a caller who uploaded the file or may read the
   * chat it was sent to. Anyone else is FORBIDDEN, whether or not the file exists.
   */
  async open(
    fileId: string,
    access: { exp?: unknown; sig?: unknown; user?: () => Actor },
  ): Promise<FileContent> {
    const signed = this.signer.verify(fileId, access.exp, access.sig);
    // The bearer token is read only when the link is missing or no longer valid: an expired
    // token beside a valid link is no refusal, and neither is an expired link beside a valid token.
    const user = signed ? undefined : access.user?.();
    if (!signed && !user) throw new DomainException(ErrorCode.Unauthorized);
    const [row] = await this.db.query<
      (FileRow & {
        chat_type: ChatType | null;
        is_member: boolean;
        message_deleted: boolean | null;
      })[]
    >(
      `SELECT f.*, c.type AS chat_type, cm.user_id IS NOT NULL AS is_member, m.is_deleted AS message_deleted
       FROM files f LEFT JOIN chats c ON c.id = f.chat_id
       LEFT JOIN messages m ON m.id = f.message_id
       LEFT JOIN chat_members cm ON cm.chat_id = f.chat_id AND cm.user_id = $2
       WHERE f.id = $1`,
      [fileId, user?.id ?? null],
    );
    const isUploader = Boolean(row && user && row.uploader_id === user.id);
    // A deleted message takes its files with it, for everyone but their uploader.
    const allowed =
      row &&
      (!row.message_deleted || isUploader) &&
      (signed ||
        (user &&
          (row.uploader_id === user.id ||
            (row.chat_type !== null && canAccessChat(user.role, row.chat_type, row.is_member)))));
    if (!allowed) throw new DomainException(ErrorCode.Forbidden);
    const stream = await this.storage.get(row.storage_key);
    if (!stream) throw new DomainException(ErrorCode.NotFound, 'the file is no longer stored');
    return { fileName: row.file_name, mimeType: row.mime_type, size: Number(row.size), stream };
  }
}

/**
 * SQL: whether `uploader` holds fewer unsent uploads than `cap` (0: no cap), counting at most
 * `cap` of them through IDX_files_unsent.
 */
function hasRoom(uploader: string, cap: string): string {
  return `(${cap}::int = 0 OR (SELECT count(*) FROM (
    SELECT 1 FROM files WHERE uploader_id = ${uploader} AND message_id IS NULL LIMIT ${cap}::int
  ) unsent) < ${cap}::int)`;
}

function overCap(perUser: number): DomainException {
  return new DomainException(
    ErrorCode.Conflict,
    `at most ${perUser} uploads may wait to be sent; send or wait for older ones first`,
    { limit: perUser },
  );
}

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
 * controls with which `invoice\u202Efdp.exe` shows as `invoiceexe.pdf`. Not every format
 * character: emoji sequences join with U+200D.
 */
const UNSAFE_IN_NAMES = /[\p{Cc}\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/gu;

/**
 * The base name as text (a lone surrogate, which a `filename*` in UTF-16 can carry, becomes
 * U+FFFD as PostgreSQL would store it), without unsafe characters, at most 255 characters.
 */
function safeFileName(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').toWellFormed();
  const clean = base.replace(UNSAFE_IN_NAMES, '').trim();
  return clip(clean, 255) || 'file';
}
