import { randomUUID } from 'node:crypto';

/**
 * @typedef {{ query: (sql: string, params?: unknown[]) => Promise<any[]> }} Db
 * @typedef {{ id: string, role: string, chatId?: string, maxSeq?: number }} BenchUser
 */

/**
 * Fixtures are written in SQL, the way the application writes them (chat.service.ts), because
 * the API cannot make some of them (a 1000-member room; createChat takes 500 members) and because
 * laying down thousands of chats through the API would dominate a run. Users exist before their
 * first connection, as returning users do.
 */

/** @param {string} runId @param {string} role @param {number} count @returns {string[]} */
export function userIds(runId, role, count) {
  return Array.from({ length: count }, (_, i) => `b${runId}-${role}-${i}`);
}

/** @param {Db} db @param {string[]} ids @param {string} [role] */
export async function insertUsers(db, ids, role = 'CLIENT') {
  for (let i = 0; i < ids.length; i += 5000) {
    await db.query(
      `INSERT INTO users (id, name, role) SELECT u, u, $2 FROM unnest($1::text[]) AS u ON CONFLICT (id) DO NOTHING`,
      [ids.slice(i, i + 5000), role],
    );
  }
}

/** chat.service.ts's key of an unordered pair. @param {string} a @param {string} b */
function directKey(a, b) {
  const [x, y] = [a, b].sort();
  return `${x.length}:${x}|${y}`;
}

/**
 * DIRECT chats between each pair [a, b]; returns their ids in the same order.
 * @param {Db} db @param {[string, string][]} pairs @returns {Promise<string[]>}
 */
export async function insertDirectChats(db, pairs) {
  const ids = pairs.map(() => randomUUID());
  for (let i = 0; i < pairs.length; i += 5000) {
    const part = pairs.slice(i, i + 5000);
    const chatIds = ids.slice(i, i + 5000);
    await db.query(
      `INSERT INTO chats (id, type, created_by, direct_key)
       SELECT id, 'DIRECT', a, k FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, a, k)`,
      [chatIds, part.map(([a]) => a), part.map(([a, b]) => directKey(a, b))],
    );
    await db.query(
      `INSERT INTO chat_members (chat_id, user_id, role)
       SELECT c, u, 'MEMBER' FROM unnest($1::uuid[], $2::text[]) AS t(c, u)`,
      [chatIds.flatMap((id) => [id, id]), part.flat()],
    );
  }
  return ids;
}

/**
 * A GROUP chat owned by `owner` with `members` besides (any number: no 500 cap in SQL).
 * @param {Db} db @param {string} owner @param {string[]} members @param {string} title
 * @returns {Promise<string>}
 */
export async function insertGroupChat(db, owner, members, title) {
  const id = randomUUID();
  await db.query(`INSERT INTO chats (id, type, title, created_by) VALUES ($1, 'GROUP', $2, $3)`, [
    id,
    title,
    owner,
  ]);
  await db.query(
    `INSERT INTO chat_members (chat_id, user_id, role)
     SELECT $1, u, CASE WHEN u = $3 THEN 'OWNER' ELSE 'MEMBER' END FROM unnest($2::text[]) AS u`,
    [id, [owner, ...members], owner],
  );
  return id;
}
