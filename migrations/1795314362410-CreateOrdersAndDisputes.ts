import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrdersAndDisputes1795314362410 implements MigrationInterface {
  name = 'CreateOrdersAndDisputes1795314362410';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "orders" ("id" uuid NOT NULL, "client_id" text NOT NULL, "performer_id" text NOT NULL, "title" text NOT NULL, "description" text, "amount" numeric(14,2), "status" text NOT NULL DEFAULT 'NEW', "chat_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "REL_5e9f798da73f33bada563c8cb3" UNIQUE ("chat_id"), CONSTRAINT "CHK_orders_amount" CHECK ("amount" IS NULL OR "amount" >= 0), CONSTRAINT "CHK_orders_parties" CHECK ("client_id" <> "performer_id"), CONSTRAINT "CHK_orders_status" CHECK ("status" IN ('NEW', 'IN_PROGRESS', 'DELIVERED', 'COMPLETED', 'CANCELLED', 'DISPUTED')), CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_orders_status" ON "orders"  ("status", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_orders_created" ON "orders"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_orders_performer" ON "orders"  ("performer_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_orders_client" ON "orders"  ("client_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "disputes" ("id" uuid NOT NULL, "order_id" uuid NOT NULL, "client_id" text NOT NULL, "performer_id" text NOT NULL, "opened_by" text NOT NULL, "reason" text NOT NULL, "status" text NOT NULL DEFAULT 'OPEN', "order_status_before" text NOT NULL, "moderator_id" text, "resolution" text, "chat_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "REL_641964c632eebdd35b7ac8b542" UNIQUE ("chat_id"), CONSTRAINT "CHK_disputes_status" CHECK ("status" IN ('OPEN', 'IN_REVIEW', 'RESOLVED', 'REJECTED')), CONSTRAINT "PK_3c97580d01c1a4b0b345c42a107" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_created" ON "disputes"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_moderator" ON "disputes"  ("moderator_id", "created_at", "id") WHERE "moderator_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_status" ON "disputes"  ("status", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_performer" ON "disputes"  ("performer_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_client" ON "disputes"  ("client_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_disputes_order" ON "disputes"  ("order_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_disputes_open_per_order" ON "disputes"  ("order_id") WHERE "status" IN ('OPEN', 'IN_REVIEW')`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_orders_client" FOREIGN KEY ("client_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_orders_performer" FOREIGN KEY ("performer_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_orders_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_order" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_opened_by" FOREIGN KEY ("opened_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_moderator" FOREIGN KEY ("moderator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "disputes" ADD CONSTRAINT "FK_disputes_chat" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_chat"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_moderator"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_opened_by"`);
    await queryRunner.query(`ALTER TABLE "disputes" DROP CONSTRAINT "FK_disputes_order"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_orders_chat"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_orders_performer"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_orders_client"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_disputes_open_per_order"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_order"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_client"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_performer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_moderator"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_disputes_created"`);
    await queryRunner.query(`DROP TABLE "disputes"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_client"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_performer"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_orders_status"`);
    await queryRunner.query(`DROP TABLE "orders"`);
  }
}
