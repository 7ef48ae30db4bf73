import { removeInvisibleControls } from '../validation/invisibleControls.js';

/** Characters no file name may contain on Windows, macOS or Linux. */
const RESERVED_CHARACTERS = new Set(['\\', '/', ':', '*', '?', '"', '<', '>', '|']);

/** Reports whether a character is reserved in file names or a C0 control character or DEL. */
function isUnsafe(character: string): boolean {
  const code = character.charCodeAt(0);
  return RESERVED_CHARACTERS.has(character) || code < 0x20 || code === 0x7f;
}

/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Code points of the name kept before the extension. */
const MAX_NAME_LENGTH = 100;

/** A download's file name and its ASCII stand-in for clients that ignore `filename*`. */
export interface ExportFileName {
  /** Unicode, for `filename*=UTF-8''…`. */
  name: string;
  /** Printable ASCII only, for `filename="…"`. */
  asciiName: string;
}

/**
 * Makes a safe download name from a session title. Invisible control characters (C1 controls,
 * bidirectional formatting, line separators) are dropped. Path separators, characters Windows
 * rejects and C0 control characters become spaces. Leading and trailing dots and spaces go, and
 * the name is cut to 100 code points. A title that leaves nothing, or names a Windows device,
 * falls back to `chat-<id>`.
 */
export function exportFileName(
  title: string | null,
  sessionId: number,
  extension: string,
): ExportFileName {
  const fallback = `chat-${sessionId}`;
  const cleaned = Array.from(
    Array.from(removeInvisibleControls(title ?? ''), (character) =>
      isUnsafe(character) ? ' ' : character,
    )
      .join('')
      .replace(/\s+/g, ' ')
      .replace(/^[\s.]+|[\s.]+$/g, ''),
  )
    .slice(0, MAX_NAME_LENGTH)
    .join('')
    .replace(/[\s.]+$/, '');
  const base = cleaned === '' || WINDOWS_DEVICE_NAME.test(cleaned) ? fallback : cleaned;
  const ascii = base
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/_+/g, '_');
  const asciiBase = /[A-Za-z0-9]/.test(ascii) ? ascii : fallback;
  return { name: `${base}.${extension}`, asciiName: `${asciiBase}.${extension}` };
}
