import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from '@jest/globals';
import { Role } from '../../common/auth/auth-user.js';
import { administersChat, canAccessChat, canAccessChatSql, moderatesChat } from './chat.policy.js';
import { ChatMemberRole } from './entities/chat-member.entity.js';
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

describe('moderatesChat', () => {
  it('is for MODERATOR and ADMIN only, member or not', () => {
    for (const type of types) {
      for (const memberRole of [null, ...Object.values(ChatMemberRole)]) {
        expect(moderatesChat(Role.Specialist, type, memberRole)).toBe(false);
        expect(moderatesChat(Role.Client, type, memberRole)).toBe(false);
      }
      expect(moderatesChat(Role.Moderator, type, null)).toBe(true);
      expect(moderatesChat(Role.Admin, type, null)).toBe(true);
    }
  });

  it("is never for the order's parties in its ORDER and DISPUTE chats, whatever their token says", () => {
    for (const role of [Role.Moderator, Role.Admin]) {
      expect(moderatesChat(role, ChatType.Order, ChatMemberRole.Member)).toBe(false);
      expect(moderatesChat(role, ChatType.Dispute, ChatMemberRole.Member)).toBe(false);
      expect(moderatesChat(role, ChatType.Dispute, ChatMemberRole.Moderator)).toBe(true);
      expect(moderatesChat(role, ChatType.Group, ChatMemberRole.Member)).toBe(true);
    }
  });
});

describe('administersChat', () => {
  it('is for ADMIN only, but not as a party in its ORDER and DISPUTE chats', () => {
    for (const type of types) {
      expect(administersChat(Role.Admin, type, null)).toBe(true);
      expect(administersChat(Role.Moderator, type, null)).toBe(false);
    }
    expect(administersChat(Role.Admin, ChatType.Order, ChatMemberRole.Member)).toBe(false);
    expect(administersChat(Role.Admin, ChatType.Dispute, ChatMemberRole.Member)).toBe(false);
    expect(administersChat(Role.Admin, ChatType.Group, ChatMemberRole.Member)).toBe(true);
  });
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
