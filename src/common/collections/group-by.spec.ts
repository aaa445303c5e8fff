import { describe, expect, it } from '@jest/globals';
import { groupBy } from './group-by.js';

describe('groupBy', () => {
  it('groups values under their keys, in the order given', () => {
    const groups = groupBy([
      [1, 'a'],
      [2, 'b'],
      [1, 'c'],
    ] as const);
    expect([...groups]).toEqual([
      [1, ['a', 'c']],
      [2, ['b']],
    ]);
  });

  it('gives an empty map for nothing', () => {
    expect(groupBy([]).size).toBe(0);
  });
});
