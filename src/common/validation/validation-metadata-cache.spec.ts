import { describe, expect, it, jest } from '@jest/globals';
import { getMetadataStorage, IsInt, IsString, validate } from 'class-validator';
import { memoizeValidationMetadata } from './validation-metadata-cache.js';

class Base {
  @IsString()
  name!: unknown;
}

class Child extends Base {
  @IsInt()
  count!: unknown;

  @IsString({ groups: ['strict'] })
  note!: unknown;
}

const child = (values: Partial<Child>): Child => Object.assign(new Child(), values);
const failed = async (value: Child, groups?: string[]): Promise<string[]> =>
  (await validate(value, { groups, strictGroups: true })).map((e) => e.property).sort();

describe('memoizeValidationMetadata', () => {
  it('keeps each class its own and inherited rules per group, and looks them up once', async () => {
    const storage = getMetadataStorage();
    // The ancestor scan walks this map: counting it counts the lookups that were not kept.
    const registry = (storage as unknown as { validationMetadatas: Map<unknown, unknown> })
      .validationMetadatas;
    const scans = jest.spyOn(registry, 'entries');
    try {
      memoizeValidationMetadata();
      memoizeValidationMetadata();

      expect(await failed(child({ name: 1, count: 'x', note: 2 }))).toEqual(['count', 'name']);
      expect(await failed(child({ name: 'a', count: 1, note: 2 }), ['strict'])).toEqual(['note']);
      const afterFirst = scans.mock.calls.length;
      expect(afterFirst).toBeGreaterThan(0);

      expect(await failed(child({ name: 1, count: 2 }))).toEqual(['name']);
      expect(await failed(child({ name: 'a', count: 1, note: 'n' }), ['strict'])).toEqual([]);
      expect(await failed(child({ name: 'b', count: 'y' }))).toEqual(['count']);
      expect(scans.mock.calls.length).toBe(afterFirst);

      // What validate() groups by property is the kept answer, grouped once.
      const rules = storage.getTargetValidationMetadatas(Child, '', false, false);
      expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(rules);
      expect(storage.groupByPropertyName(rules)).toBe(storage.groupByPropertyName(rules));
      expect(Object.keys(storage.groupByPropertyName(rules)).sort()).toEqual([
        'count',
        'name',
        'note',
      ]);
    } finally {
      scans.mockRestore();
    }
  });
});
