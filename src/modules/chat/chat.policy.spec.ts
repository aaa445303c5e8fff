import { describe, expect, it } from '@jest/globals';
import { Role } from '../../common/auth/auth-user.js';
import { canAccessChat } from './chat.policy.js';
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
