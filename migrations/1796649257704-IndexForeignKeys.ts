import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The two foreign keys no index led with. Deleting a notification (its user deleted, a retention
 * job) made PostgreSQL scan all of `mail_outbox`, which is never purged, once per notification, to
 * cascade; deleting a user scanned `disputes` to check `opened_by`. Both tables are small next
 * to messages, so the plain (locking) build is short.
 */
export class IndexForeignKeys1796649257704 implements MigrationInterface {
  name = 'IndexForeignKeys1796649257704';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The build blocks writes to the table: on a busy database, fail fast rather than stall
    // them (the node does not start; run it again). SET LOCAL holds because each migration runs
    // in a transaction of its own (migrationsTransactionMode 'each'). Written by hand, with the
    // index names the entities declare, so migration:check finds nothing to generate.
    await queryRunner.query(`SET LOCAL lock_timeout = '5s'`);
    await queryRunner.query(
      `CREATE INDEX "IDX_mail_outbox_notification" ON "mail_outbox" ("notification_id")`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_disputes_opened_by" ON "disputes" ("opened_by")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_opened_by"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_mail_outbox_notification"`);
  }
}
