import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChats1795310572419 implements MigrationInterface {
  name = 'CreateChats1795310572419';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "chats" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" text NOT NULL, "title" text, "status" text NOT NULL DEFAULT 'ACTIVE', "order_id" uuid, "dispute_id" uuid, "created_by" text, "direct_key" text, "last_seq" integer NOT NULL DEFAULT '0', "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_chats_status" CHECK ("status" IN ('ACTIVE', 'PENDING', 'CLOSED')), CONSTRAINT "CHK_chats_type" CHECK ("type" IN ('DIRECT', 'GROUP', 'SUPPORT', 'ORDER', 'DISPUTE')), CONSTRAINT "PK_0117647b3c4a4e5ff198aeb6206" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_chats_direct_key" ON "chats"  ("direct_key") WHERE "direct_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "chat_members" ("chat_id" uuid NOT NULL, "user_id" text NOT NULL, "role" text NOT NULL DEFAULT 'MEMBER', "last_read_seq" integer NOT NULL DEFAULT '0', "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_chat_members_role" CHECK ("role" IN ('OWNER', 'MEMBER', 'MODERATOR')), CONSTRAINT "PK_b4a04a57c87d984b806c95eac6d" PRIMARY KEY ("chat_id", "user_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_chat_members_user" ON "chat_members"  ("user_id", "chat_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "chat_id" uuid NOT NULL, "seq" integer NOT NULL, "sender_id" text, "sender_role" text, "type" text NOT NULL, "text" text, "reply_to_id" uuid, "client_message_id" text, "is_deleted" boolean NOT NULL DEFAULT false, "deleted_at" TIMESTAMP WITH TIME ZONE, "edited_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_messages_chat_seq" UNIQUE ("chat_id", "seq"), CONSTRAINT "CHK_messages_type" CHECK ("type" IN ('TEXT', 'FILE', 'SYSTEM')), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_messages_reply_to" ON "messages"  ("reply_to_id") WHERE "reply_to_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_messages_unread" ON "messages"  ("chat_id", "seq", "sender_id") WHERE NOT "is_deleted"`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_messages_client_message_id" ON "messages"  ("chat_id", "sender_id", "client_message_id") WHERE "client_message_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "message_reactions" ("message_id" uuid NOT NULL, "user_id" text NOT NULL, "emoji" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f5a1f46b4f33ce416f9c192ab29" PRIMARY KEY ("message_id", "user_id", "emoji"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "uploader_id" text NOT NULL, "file_name" text NOT NULL, "mime_type" text NOT NULL, "size" integer NOT NULL, "storage_key" text NOT NULL, "message_id" uuid, "chat_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6c16b9093a142e0e7613b04a3d9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_files_uploader" ON "files"  ("uploader_id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_files_message" ON "files"  ("message_id") WHERE "message_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_files_chat" ON "files"  ("chat_id") WHERE "chat_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_members" ADD CONSTRAINT "FK_chat_members_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "chat_members" ADD CONSTRAINT "FK_chat_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "FK_messages_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "FK_messages_reply_to" FOREIGN KEY ("reply_to_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "message_reactions" ADD CONSTRAINT "FK_message_reactions_message" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_uploader" FOREIGN KEY ("uploader_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_message" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "files" ADD CONSTRAINT "FK_files_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_chat"`);
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_message"`);
    await queryRunner.query(`ALTER TABLE "files" DROP CONSTRAINT "FK_files_uploader"`);
    await queryRunner.query(
      `ALTER TABLE "message_reactions" DROP CONSTRAINT "FK_message_reactions_message"`,
    );
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_messages_reply_to"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_messages_chat"`);
    await queryRunner.query(`ALTER TABLE "chat_members" DROP CONSTRAINT "FK_chat_members_user"`);
    await queryRunner.query(`ALTER TABLE "chat_members" DROP CONSTRAINT "FK_chat_members_chat"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_files_chat"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_files_message"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_files_uploader"`);
    await queryRunner.query(`DROP TABLE "files"`);
    await queryRunner.query(`DROP TABLE "message_reactions"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_messages_client_message_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_unread"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_messages_reply_to"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_chat_members_user"`);
    await queryRunner.query(`DROP TABLE "chat_members"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_chats_direct_key"`);
    await queryRunner.query(`DROP TABLE "chats"`);
  }
}
