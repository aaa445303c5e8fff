import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IsUuid, MAX_ID_LENGTH, normalizeId, UNKNOWN_ID } from './is-uuid.decorator.js';

const ID = '0192f0c4-7b1e-7c3a-9d2e-4f5a6b7c8d9e';

describe('normalizeId', () => {
  it('writes a UUID in lower case', () => {
    expect(normalizeId(ID.toUpperCase())).toBe(ID);
  });

  it('reads a made-up string id as the id no row has', () => {
    expect(normalizeId('no-such-chat')).toBe(UNKNOWN_ID);
  });

  it('leaves a UUID in another notation as it is, for validation to refuse', () => {
    const hyphens = ID.replace(/-/g, '');
    for (const notation of [
      `{${ID}}`,
      `urn:uuid:${ID}`,
      hyphens,
      ` ${ID}`,
      hyphens.replace(/(.{4})(?!$)/g, '$1-'),
      `${ID.slice(0, 8)}\u200b${ID.slice(8)}`,
    ]) {
      expect(normalizeId(notation)).toBe(notation);
    }
  });

  it('leaves what cannot be an id for validation to refuse', () => {
    const tooLong = 'x'.repeat(MAX_ID_LENGTH + 1);
    for (const value of ['', tooLong, 'a\u0000b', 'a\nb', 'a\u0085b', 42, null, undefined, ['a']]) {
      expect(normalizeId(value)).toBe(value);
    }
  });
});

class ListDto {
  @IsUuid({ each: true })
  ids!: string[];
}

describe('IsUuid on a list', () => {
  it('refuses a made-up id in a list instead of carrying it on', () => {
    const dto = plainToInstance(ListDto, { ids: [ID.toUpperCase(), 'no-such-message'] });
    expect(dto.ids).toEqual([ID, 'no-such-message']);
    expect(validateSync(dto).map((e) => e.property)).toEqual(['ids']);
  });
});
