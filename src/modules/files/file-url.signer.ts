import { Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config.js';

/**
 * Short-lived signed links for attachments, so `<img src>` and downloads work without a bearer
 * header while nobody else can fetch the file once the link has expired.
 */
@Injectable()
export class FileUrlSigner {
  private readonly key: Buffer;

  constructor(private readonly config: AppConfig) {
    this.key = createHmac('sha256', config.fileUrlSecret).update('file-urls').digest();
    if (config.fileUrlSecretIsEphemeral) {
      new Logger(FileUrlSigner.name).warn(
        'FILE_URL_SECRET is not set and no JWT secret exists to derive it from: attachment links die with this process. Set FILE_URL_SECRET.',
      );
    }
  }

  url(fileId: string, now = Date.now()): string {
    const exp = Math.floor(now / 1000) + this.config.fileUrlTtlSeconds;
    return `${this.config.publicUrl}/api/files/${fileId}?exp=${exp}&sig=${this.sign(fileId, exp)}`;
  }

  verify(fileId: string, exp: unknown, sig: unknown, now = Date.now()): boolean {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return false;
    if (Number(exp) * 1000 < now) return false;
    const expected = Buffer.from(this.sign(fileId, Number(exp)));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(fileId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${fileId}.${exp}`).digest('base64url');
  }
}
