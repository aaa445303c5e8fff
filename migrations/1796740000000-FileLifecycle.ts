import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploads get a lifecycle. `file_deletions` is the outbox of stored bytes to remove: a trigger
 * fills it from every deleted `files` row, however the row went (its chat deleted, its uploader
 * deleted, an unsent upload swept), in the transaction that deleted it; FileSweeper removes the
 * bytes and then the entry. Two indexes hold only the uploads no message has taken yet: by
 * uploader, which the per-user cap counts, and by age, from which the sweep takes the oldest;
 * neither reads sent files.
 *
 * Reverting drops `file_deletions` with any entries not yet swept: their bytes then stay on disk.
 *
 * `files` is small next to `messages`, so the plain (locking) build is short; on a busy database
 * it fails fast rather than stall writes (run it again), as IndexForeignKeys does.
 */
export class FileLifecycle1796740000000 implements MigrationInterface {
  name = 'FileLifecycle1796740000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET LOCAL lock_timeout = '5s'`);
    await queryRunner.query(
      `CREATE TABLE "file_deletions" ("storage_key" text NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_file_deletions" PRIMARY KEY ("storage_key"))`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "files_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO "file_deletions" ("storage_key") SELECT "storage_key" FROM "gone"
         ON CONFLICT DO NOTHING;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "files_deleted" AFTER DELETE ON "files" REFERENCING OLD TABLE AS "gone"
       FOR EACH STATEMENT EXECUTE FUNCTION "files_deleted"()`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_files_unsent" ON "files" ("uploader_id") WHERE "message_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_files_unsent_age" ON "files" ("created_at") WHERE "message_id" IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_files_unsent_age"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_files_unsent"`);
    await queryRunner.query(`DROP TRIGGER "files_deleted" ON "files"`);
    await queryRunner.query(`DROP FUNCTION "files_deleted"()`);
    await queryRunner.query(`DROP TABLE "file_deletions"`);
  }
}
