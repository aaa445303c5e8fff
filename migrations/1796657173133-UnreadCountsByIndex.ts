import type { MigrationInterface, QueryRunner } from 'typeorm';
import { withoutTimeouts } from '../src/database/without-timeouts.js';

/**
 * Unread counts stop reading every message after a member's read marker: they count the member's
 * own messages and the deleted ones in that range, and subtract them from its length (seqs are
 * gapless). `IDX_messages_unread`, which the old count scanned, goes; its two successors cost one
 * index insert per message, as it did (the deleted one takes only deleted messages).
 *
 * `messages` is the largest table, so the indexes are built and dropped CONCURRENTLY: sends go on
 * while they build, which takes minutes at tens of millions of rows, so without the timeouts that
 * hold every other statement to seconds. CONCURRENTLY cannot run in a transaction, hence
 * `transaction = false`; TypeORM reverts in one all the same (unless `--transaction none`), so
 * there the indexes are built and dropped the plain way, which blocks writes meanwhile. A build
 * cut short leaves an invalid index behind, which the next run drops and builds again.
 */
export class UnreadCountsByIndex1796657173133 implements MigrationInterface {
  name = 'UnreadCountsByIndex1796657173133';
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await withoutTimeouts(queryRunner, async () => {
      await build(
        queryRunner,
        'IDX_messages_sender',
        `("chat_id", "sender_id", "seq") WHERE NOT "is_deleted"`,
      );
      await build(queryRunner, 'IDX_messages_deleted', `("chat_id", "seq") WHERE "is_deleted"`);
      await drop(queryRunner, 'IDX_messages_unread');
    });
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await withoutTimeouts(queryRunner, async () => {
      await build(
        queryRunner,
        'IDX_messages_unread',
        `("chat_id", "seq", "sender_id") WHERE NOT "is_deleted"`,
      );
      await drop(queryRunner, 'IDX_messages_deleted');
      await drop(queryRunner, 'IDX_messages_sender');
    });
  }
}

async function build(queryRunner: QueryRunner, name: string, definition: string): Promise<void> {
  await drop(queryRunner, name);
  await queryRunner.query(
    `CREATE INDEX ${concurrently(queryRunner)} "${name}" ON "messages" ${definition}`,
  );
}

async function drop(queryRunner: QueryRunner, name: string): Promise<void> {
  await queryRunner.query(`DROP INDEX ${concurrently(queryRunner)} IF EXISTS "public"."${name}"`);
}

function concurrently(queryRunner: QueryRunner): string {
  return queryRunner.isTransactionActive ? '' : 'CONCURRENTLY';
}
