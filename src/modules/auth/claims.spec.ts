import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../../common/errors/error-code.js';
import { claimsToUser } from './claims.js';

const exp = 2_000_000_000;

describe('claimsToUser', () => {
  it('maps sub, name, role and exp', () => {
    expect(claimsToUser({ sub: 'u1', name: 'Ann', role: 'CLIENT', exp })).toEqual({
      id: 'u1',
      name: 'Ann',
      role: 'CLIENT',
      exp,
    });
  });

  it('accepts PERFORMER as SPECIALIST', () => {
    expect(claimsToUser({ sub: 'u1', name: 'A', role: 'PERFORMER', exp }).role).toBe('SPECIALIST');
  });

  it('falls back to the id when the name is missing or blank', () => {
    expect(claimsToUser({ sub: 'u1', name: '  ', role: 'ADMIN', exp }).name).toBe('u1');
  });

  it.each([
    ['no sub', { name: 'A', role: 'CLIENT', exp }],
    ['a numeric sub', { sub: 42, role: 'CLIENT', exp }],
    ['an over-long sub', { sub: 'x'.repeat(129), role: 'CLIENT', exp }],
    ['no exp', { sub: 'u1', role: 'CLIENT' }],
    ['a string exp', { sub: 'u1', role: 'CLIENT', exp: '2000000000' }],
    ['an unknown role', { sub: 'u1', role: 'OWNER', exp }],
    ['no role', { sub: 'u1', exp }],
  ])('refuses a token with %s as UNAUTHORIZED', (_name, claims) => {
    expect(() => claimsToUser(claims)).toThrow(
      expect.objectContaining({ code: ErrorCode.Unauthorized }),
    );
  });
});
