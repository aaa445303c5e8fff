import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages and notifications, the two tables that grow with every message, get time-ordered
 * UUIDs (version 7, RFC 9562): the first 48 bits are the creation time in milliseconds, the rest
 * random. A random id (gen_random_uuid) lands on a random leaf of the primary key's B-tree, which
 * past a few million rows is rarely in memory: in the `send` benchmark on a table of 10M rows,
 * 0.77 index pages were read from disk per message; with ids in time order every insert goes to
 * the right edge of the index, which stays cached (0.007 per message). The ids are still UUIDs,
 * as every id here is, and reveal only the insert's time, which a message carries anyway. Rows
 * already stored keep their ids. PostgreSQL 18 has uuidv7(); this function works from 13 on, and
 * in PGlite.
 */
export class TimeOrderedIds1796492340339 implements MigrationInterface {
  name = 'TimeOrderedIds1796492340339';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Setting a default rewrites nothing, but waits for a lock on the table that every send then
    // queues behind: on a busy database, give up and retry rather than stall the sends.
    await queryRunner.query(`SET LOCAL lock_timeout = '5s'`);
    // The time in milliseconds over the first 6 bytes of a random UUID, version bits 0100 → 0111.
    await queryRunner.query(
      `CREATE FUNCTION "uuid_v7"() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
          PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
          FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
      $$`,
    );
    await queryRunner.query(`ALTER TABLE "messages" ALTER COLUMN "id" SET DEFAULT uuid_v7()`);
    await queryRunner.query(`ALTER TABLE "notifications" ALTER COLUMN "id" SET DEFAULT uuid_v7()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "notifications" ALTER COLUMN "id" SET DEFAULT gen_random_uuid()`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ALTER COLUMN "id" SET DEFAULT gen_random_uuid()`,
    );
    await queryRunner.query(`DROP FUNCTION "uuid_v7"()`);
  }
}
