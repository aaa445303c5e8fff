import { describe, expect, it } from '@jest/globals';
import { DomainException } from '../errors/domain.exception.js';
import { MAX_ID_LENGTH } from '../validation/is-uuid.decorator.js';
import { UserIdParam } from './user-id-param.js';

describe('UserIdParam', () => {
  it('passes an id a token may carry on unchanged', () => {
    expect(UserIdParam.transform('client-42')).toBe('client-42');
    expect(UserIdParam.transform('x'.repeat(MAX_ID_LENGTH))).toBe('x'.repeat(MAX_ID_LENGTH));
  });

  it.each([
    ['an empty id', ''],
    ['an over-long id', 'x'.repeat(MAX_ID_LENGTH + 1)],
    ['a NUL', 'a\u0000b'],
    ['a lone surrogate', 'a\ud83d'],
    // 130 UTF-16 units, which class-validator's Length counted as 65: no token's sub is so long.
    ['65 emoji', '😀'.repeat(65)],
  ])('refuses %s', (_name, value) => {
    expect(() => UserIdParam.transform(value)).toThrow(DomainException);
  });
});
