import { expect } from '@jest/globals';

/**
 * Asserts that `id` is a time-ordered UUID (version 7, RFC 9562) made between `from` and `to`
 * (epoch milliseconds): its first 48 bits are its creation time.
 */
export function expectTimeOrderedId(id: string, from: number, to: number): void {
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const madeAt = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  expect(madeAt).toBeGreaterThanOrEqual(from);
  expect(madeAt).toBeLessThanOrEqual(to);
}
