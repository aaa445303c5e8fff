import { clip } from '../../common/text/clip.js';

const PREVIEW_LENGTH = 140;

/** The coalesce key of a chat's `message.new`: one unread per chat and user. */
export function messageNewKey(chatId: string): string {
  return `message.new:${chatId}`;
}

/** What a notification says of a message that has been deleted. */
export const DELETED_PREVIEW = 'Message deleted';

/** A message as a notification quotes it: its text, cut to 140 characters, or its files. */
export function previewOf(text: string | null, attachments: number): string {
  if (text) return text.length > PREVIEW_LENGTH ? `${clip(text, PREVIEW_LENGTH - 1)}…` : text;
  return attachments === 1 ? 'Sent an attachment' : `Sent ${attachments} attachments`;
}
