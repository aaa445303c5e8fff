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

  it('makes a name that is not text into text, and leaves out an email that is not', () => {
    const user = claimsToUser({
      sub: 'u1',
      name: ' A\u0000n\udc00 ',
      email: 'a\u0000@b.c',
      role: 'CLIENT',
      exp,
    });
    expect(user).toEqual({ id: 'u1', name: 'An\ufffd', role: 'CLIENT', exp });
  });

  it('cuts a long name to 200 characters without splitting an emoji', () => {
    const name = claimsToUser({
      sub: 'u1',
      name: `${'a'.repeat(199)}😀`,
      role: 'CLIENT',
      exp,
    }).name;
    expect(name).toBe('a'.repeat(199));
    expect(claimsToUser({ sub: 'u1', name: 'b'.repeat(300), role: 'CLIENT', exp }).name).toBe(
      'b'.repeat(200),
    );
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
    ['a NUL in its sub', { sub: 'u\u00001', role: 'CLIENT', exp }],
    ['an unpaired surrogate in its sub', { sub: 'u\ud800', role: 'CLIENT', exp }],
  ])('refuses a token with %s as UNAUTHORIZED', (_name, claims) => {
    expect(() => claimsToUser(claims)).toThrow(
      expect.objectContaining({ code: ErrorCode.Unauthorized }),
    );
  });
});
