import { describe, expect, it } from '@jest/globals';
import { isSingleEmoji } from './is-single-emoji.validator.js';

describe('isSingleEmoji', () => {
  it.each(['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇺🇦', '🎉', '1️⃣', '#️⃣', '*️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '👩🏾‍🚀', '☺️'])(
    'accepts %s',
    (emoji) => {
      expect(isSingleEmoji(emoji)).toBe(true);
    },
  );
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
    // Combining marks ride in the grapheme: each would be a distinct "emoji".
    '😀\u0301',
    '😀\u0300\u0301',
    '👍\u20dd',
    '🎉\ufe0e',
  ])('refuses %j', (value) => {
    expect(isSingleEmoji(value)).toBe(false);
  });
});
