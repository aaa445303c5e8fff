import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config.js';
import { MailTransport } from './mail-transport.js';

/** After this many failed attempts a mail is marked FAILED (and kept). */
export const MAIL_MAX_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** Longer than one SMTP attempt can take (nodemailer's timeouts add up to 40 s). */
const LEASE = `interval '2 minutes'`;

interface DueMail {
  id: string;
  subject: string;
  body: string;
  attempts: number;
  email: string | null;
}

/**
 * The mail outbox: an EMAIL notification's mail is written in the notification's transaction,
 * then sent by this node or another (rows are leased, so each is sent once), retried with
 * growing delays on failure, and never deleted.
 */
@Injectable()
export class MailOutboxService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MailOutboxService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    @Optional() private readonly transport?: MailTransport,
  ) {}

  onModuleInit(): void {
    if (!this.transport) return;
    this.timer = setInterval(() => this.kick(), this.config.mail.retryMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Writes the mails of these EMAIL notifications, inside their transaction. */
  async enqueue(
    tx: EntityManager,
    notifications: { id: string; user_id: string; subject: string; message: string }[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO mail_outbox (notification_id, user_id, subject, body)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
      [
        notifications.map((n) => n.id),
        notifications.map((n) => n.user_id),
        notifications.map((n) => n.subject),
        notifications.map((n) => n.message),
      ],
    );
  }

  /** Sends what is due now, unless a run is going (which then goes round once more). */
  kick(): void {
    if (!this.transport) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.logger.error(`mail outbox: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again && this.timer) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (let mail = await this.lease(); mail; mail = await this.lease()) await this.deliver(mail);
  }

  /** Takes the next due mail for as long as a send can take, skipping those another node holds. */
  private async lease(): Promise<DueMail | undefined> {
    const [rows] = await this.db.query<[DueMail[], number]>(
      `UPDATE mail_outbox m SET next_attempt_at = now() + ${LEASE}
       FROM (SELECT id FROM mail_outbox WHERE status = 'PENDING' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) due, users u
       WHERE m.id = due.id AND u.id = m.user_id
       RETURNING m.id, m.subject, m.body, m.attempts, u.email`,
    );
    return rows[0];
  }

  private async deliver(mail: DueMail): Promise<void> {
    try {
      if (!mail.email) throw new Error('the user has no email address (token claim "email")');
      await this.transport!.send({
        to: mail.email,
        subject: mail.subject,
        text: mail.body,
        // The same for every attempt, so a receiver can drop a duplicate.
        messageId: `<${mail.id}@mail-outbox>`,
      });
    } catch (error) {
      await this.failed(mail, error);
      return;
    }
    // Sent: recording it must not count as a failed send (that would send it again).
    await this.db
      .query(
        `UPDATE mail_outbox SET status = 'SENT', attempts = attempts + 1, sent_at = now(),
           last_error = NULL WHERE id = $1`,
        [mail.id],
      )
      .catch((error: unknown) =>
        this.logger.error(`mail ${mail.id} sent but not recorded as sent: ${String(error)}`),
      );
  }

  private async failed(mail: DueMail, error: unknown): Promise<void> {
    const attempts = mail.attempts + 1;
    const delayMs = Math.min(this.config.mail.retryMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    this.logger.warn(`mail ${mail.id} not sent (attempt ${attempts}): ${String(error)}`);
    await this.db.query(
      `UPDATE mail_outbox SET attempts = $2::int, last_error = $3,
           status = CASE WHEN $2::int >= $4::int THEN 'FAILED' ELSE 'PENDING' END,
           next_attempt_at = now() + $5::int * interval '1 millisecond'
         WHERE id = $1`,
      [mail.id, attempts, String(error).slice(0, 1000), MAIL_MAX_ATTEMPTS, delayMs],
    );
  }
}
