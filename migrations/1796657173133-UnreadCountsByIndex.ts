import type { MigrationInterface, QueryRunner } from 'typeorm';
import { withoutTimeouts } from '../src/database/without-timeouts.js';

/**
 * Unread counts stop reading every message after a member's read marker: they count the member's
 * own messages and the deleted ones in that range, and subtract them from its length (seqs are
 * gapless). `IDX_messages_sender` finds a member's own entries among every sender's, and
 * `IDX_messages_deleted` holds deleted messages only.
 *
 * `IDX_messages_unread`, which the old count scanned, stays for now: nodes of the previous release,
 * still running during a rolling upgrade, count with it (without it, 1-2 s for a member a million
 * messages behind). A later migration drops it.
 *
 * `messages` is the largest table, so the indexes are built CONCURRENTLY: sends go on while they
 * build, which takes minutes at tens of millions of rows, so without the timeouts that hold every
 * other statement to seconds. CONCURRENTLY cannot run in a transaction, hence `transaction =
 * false`; TypeORM reverts in one all the same (unless `--transaction none`), and there the indexes
 * are dropped the plain way. A build cut short leaves an invalid index behind, which the next run
 * drops and builds again; a valid one it keeps.
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
    });
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await withoutTimeouts(queryRunner, async () => {
      await drop(queryRunner, 'IDX_messages_deleted');
      await drop(queryRunner, 'IDX_messages_sender');
    });
  }
}

async function build(queryRunner: QueryRunner, name: string, definition: string): Promise<void> {
  const [index] = (await queryRunner.query(
    `SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
    [name],
  )) as { valid: boolean }[];
  if (index?.valid) return;
  if (index) await drop(queryRunner, name);
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
