import { describe, expect, it } from '@jest/globals';
import { isSingleEmoji } from './is-single-emoji.validator.js';

describe('isSingleEmoji', () => {
  it.each(['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇺🇦', '🎉', '1️⃣', '#️⃣', '*️⃣'])('accepts %s', (emoji) => {
    expect(isSingleEmoji(emoji)).toBe(true);
  });
  it.each([
    '',
    'a',
    '1',
    '#',
    '1️⃣1️⃣',
    '1️⃣\u20e3',
    '1\u20e3\u0301',
    '👍👍',
    ':)',
    '👍 ',
    'ok👍',
    42,
    null,
    'x'.repeat(100),
  ])('refuses %j', (value) => {
    expect(isSingleEmoji(value)).toBe(false);
  });
});
