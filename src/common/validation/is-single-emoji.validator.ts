import { registerDecorator, type ValidationOptions } from 'class-validator';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u{1F3FB}-\u{1F3FF}]/u;
/**
 * What an emoji sequence is made of: pictographs, flag letters, skin tones, the emoji variation
 * selector, zero-width joiners and tag letters (subdivision flags). Anything else that rides in
 * the same grapheme (combining marks) would make endless distinct "emoji" of one.
 */
const EMOJI_PARTS =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u{1F3FB}-\u{1F3FF}]|\uFE0F|\u200D|[\u{E0020}-\u{E007F}])+$/u;
/** A keycap (1️⃣, #️⃣, *️⃣): a digit, # or * with the enclosing keycap mark, and nothing else. */
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;
const MAX_EMOJI_LENGTH = 32;

/** One grapheme that is an emoji (ZWJ sequences, skin tones, flags and keycaps included). */
export function isSingleEmoji(value: unknown): boolean {
  return isEmojiGrapheme(value) && (KEYCAP.test(value) || EMOJI_PARTS.test(value));
}

/**
 * One grapheme with an emoji in it, whatever rides along: what reactions took before they were
 * held to emoji parts. Removing a reaction takes it, so one stored then can still be taken back.
 */
export function isEmojiGrapheme(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EMOJI_LENGTH)
    return false;
  return [...segmenter.segment(value)].length === 1 && (EMOJI.test(value) || KEYCAP.test(value));
}

export function IsSingleEmoji({
  asStoredBefore = false,
  ...options
}: ValidationOptions & { asStoredBefore?: boolean } = {}): PropertyDecorator {
  const validate = asStoredBefore ? isEmojiGrapheme : isSingleEmoji;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSingleEmoji',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be exactly one emoji`, ...options },
      validator: { validate },
    });
}
