/**
 * The first `max` UTF-16 units of `text`, one fewer where the cut would split a surrogate pair:
 * half an emoji is a lone surrogate, which PostgreSQL stores as U+FFFD (so the text sent differs
 * from the text stored) and which strict JSON decoders refuse.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
