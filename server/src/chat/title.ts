import { CHAT_TITLE_LENGTH } from '../../../shared/src/api/chat.js';

/**
 * Makes a session title from its first message: the first line with text, runs of whitespace
 * made one space, and at most CHAT_TITLE_LENGTH characters. A longer line is cut at a word
 * boundary when one falls in the second half, and ends with an ellipsis. Returns null when the
 * message has no text.
 */
export function titleFromMessage(content: string): string | null {
  const firstLine = content
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .find((line) => line !== '');
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
