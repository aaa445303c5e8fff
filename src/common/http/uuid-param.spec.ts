import { describe, expect, it } from '@jest/globals';
import { DomainException } from '../errors/domain.exception.js';
import { MAX_ID_LENGTH, UNKNOWN_ID } from '../validation/is-uuid.decorator.js';
import { UuidParam } from './uuid-param.js';

describe('UuidParam', () => {
  it('passes a UUID on in lower case', () => {
    const id = '0192F0C4-7B1E-7C3A-9D2E-4F5A6B7C8D9E';
    expect(UuidParam.transform(id)).toBe(id.toLowerCase());
  });

  it('passes a made-up id on as the id no row has', () => {
    expect(UuidParam.transform('not-a-uuid')).toBe(UNKNOWN_ID);
  });

  it('refuses a path segment too long to be an id', () => {
    expect(() => UuidParam.transform('x'.repeat(MAX_ID_LENGTH + 1))).toThrow(DomainException);
  });
});
