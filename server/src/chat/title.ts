import { CHAT_TITLE_LENGTH } from '../../../shared/src/api/chat.js';
import { hasVisibleText, removeInvisibleControls } from '../validation/invisibleControls.js';

/** Zero-width space, word joiner and U+FEFF, which no title needs. */
const DROPPED_ZERO_WIDTH = /[\u200b\u2060\ufeff]/g;

/**
 * Makes a session title from its first message: the first line with visible text, without
 * invisible control characters (C1 controls, bidirectional formatting) or zero-width spaces,
 * runs of whitespace made one space, and at most CHAT_TITLE_LENGTH characters. A longer line is
 * cut at a word boundary when one falls in the second half, and ends with an ellipsis. Returns
 * null when the message has no visible text.
 */
export function titleFromMessage(content: string): string | null {
  const firstLine = content
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) =>
      removeInvisibleControls(line).replace(DROPPED_ZERO_WIDTH, '').replace(/\s+/g, ' ').trim(),
    )
    .find(hasVisibleText);
  if (firstLine === undefined) {
    return null;
  }
  // Counting code points keeps an emoji or other astral character whole at the cut.
  const characters = Array.from(firstLine);
  if (characters.length <= CHAT_TITLE_LENGTH) {
    return firstLine;
  }
  const kept = characters.slice(0, CHAT_TITLE_LENGTH - 1).join('');
  // When the next character is a space, the last kept word is whole.
  if (characters[CHAT_TITLE_LENGTH - 1] === ' ') {
    return `${kept}…`;
  }
  const lastSpace = kept.lastIndexOf(' ');
  const cut = lastSpace >= kept.length / 2 ? kept.slice(0, lastSpace) : kept;
  return `${cut.trimEnd()}…`;
}
