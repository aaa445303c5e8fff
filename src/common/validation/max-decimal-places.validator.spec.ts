import { describe, expect, it } from '@jest/globals';
import { hasAtMostDecimals } from './max-decimal-places.validator.js';

describe('hasAtMostDecimals', () => {
  it.each([0, 1, 12.34, 0.1, 0.3, 999_999_999_999.99, -5.5, 1e21])('takes %p', (value) => {
    expect(hasAtMostDecimals(value, 2)).toBe(true);
  });

  it.each([1.005, 0.001, 1e-7, -1e-7, 5e-324, 0.1 + 0.2, NaN, Infinity, '10', null])(
    'refuses %p, without throwing',
    (value) => {
      expect(hasAtMostDecimals(value, 2)).toBe(false);
    },
  );
});
