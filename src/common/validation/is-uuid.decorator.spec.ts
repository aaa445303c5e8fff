import { describe, expect, it } from '@jest/globals';
import { MAX_ID_LENGTH, normalizeId, UNKNOWN_ID } from './is-uuid.decorator.js';

const ID = '0192f0c4-7b1e-7c3a-9d2e-4f5a6b7c8d9e';

describe('normalizeId', () => {
  it('writes a UUID in lower case', () => {
    expect(normalizeId(ID.toUpperCase())).toBe(ID);
  });

  it('reads a made-up string id as the id no row has', () => {
    expect(normalizeId('no-such-chat')).toBe(UNKNOWN_ID);
  });

  it('does not read the UUID inside other notations PostgreSQL would accept', () => {
    for (const notation of [`{${ID}}`, `urn:uuid:${ID}`, ID.replace(/-/g, ''), ` ${ID}`]) {
      expect(normalizeId(notation)).toBe(UNKNOWN_ID);
    }
  });

  it('leaves what cannot be an id for validation to refuse', () => {
    const tooLong = 'x'.repeat(MAX_ID_LENGTH + 1);
    for (const value of ['', tooLong, 42, null, undefined, ['a']]) {
      expect(normalizeId(value)).toBe(value);
    }
  });
});
