import { describe, expect, it } from '@jest/globals';
import { isSingleEmoji } from './is-single-emoji.validator.js';

describe('isSingleEmoji', () => {
  it.each(['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇺🇦', '🎉'])('accepts %s', (emoji) => {
    expect(isSingleEmoji(emoji)).toBe(true);
  });
  it.each(['', 'a', '👍👍', ':)', '👍 ', 'ok👍', 42, null, 'x'.repeat(100)])(
    'refuses %j',
    (value) => {
      expect(isSingleEmoji(value)).toBe(false);
    },
  );
});
