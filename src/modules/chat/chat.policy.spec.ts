import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from '@jest/globals';
import { Role } from '../../common/auth/auth-user.js';
import { canAccessChat, canAccessChatSql } from './chat.policy.js';
import { ChatType } from './entities/chat.entity.js';

const types = Object.values(ChatType);
const roles = Object.values(Role);

describe('canAccessChat', () => {
  it.each(roles.flatMap((role) => types.map((type) => [role, type] as const)))(
    'lets a member with role %s into a %s chat',
    (role, type) => expect(canAccessChat(role, type, true)).toBe(true),
  );

  const outsiders: [Role, ChatType, boolean][] = roles.flatMap((role) =>
    types.map((type): [Role, ChatType, boolean] => [
      role,
      type,
      role === Role.Admin || (role === Role.Moderator && type === ChatType.Dispute),
    ]),
  );
  it.each(outsiders)(
    'lets a non-member with role %s into a %s chat: %s',
    (role, type, expected) => {
      expect(canAccessChat(role, type, false)).toBe(expected);
    },
  );
});

describe('canAccessChatSql', () => {
  it('answers as canAccessChat for every role, chat type and membership, in PostgreSQL', async () => {
    const db = await PGlite.create();
    try {
      const { rows } = await db.query<{
        role: Role;
        type: ChatType;
        member: boolean;
        allowed: boolean;
      }>(
        `SELECT r.role, t.type, m.member, ${canAccessChatSql('m.member', 'r.role', 't.type')} AS allowed
         FROM unnest($1::text[]) AS r(role), unnest($2::text[]) AS t(type),
              (VALUES (true), (false)) AS m(member)`,
        [roles, types],
      );
      expect(rows).toHaveLength(roles.length * types.length * 2);
      for (const { role, type, member, allowed } of rows) {
        expect({ role, type, member, allowed }).toEqual({
          role,
          type,
          member,
          allowed: canAccessChat(role, type, member),
        });
      }
    } finally {
      await db.close();
    }
  });
});
