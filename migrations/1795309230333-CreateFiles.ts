import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFiles1795309230333 implements MigrationInterface {
  name = 'CreateFiles1795309230333';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "uploader_id" text NOT NULL, "file_name" text NOT NULL, "mime_type" text NOT NULL, "size" integer NOT NULL, "storage_key" text NOT NULL, "message_id" uuid, "chat_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6c16b9093a142e0e7613b04a3d9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_files_message" ON "files"  ("message_id") WHERE "message_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_uploader" FOREIGN KEY ("uploader_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_message" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_chat"`);
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_message"`);
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_uploader"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_files_message"`);
    await queryRunner.query(`DROP TABLE "files"`);
  }
}
