import path from 'node:path';
import { DATASET_FILE_TYPES } from '../../../shared/src/api/datasets.js';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';
import { badRequest } from '../errors.js';
import { findInvisibleControl, removeInvisibleControls } from '../validation/invisibleControls.js';

/** Maximum client file name length, in UTF-8 bytes: the limit of most file systems. */
export const MAX_FILE_NAME_BYTES = 255;

/** Maximum dataset name length, in characters: the length of the `name` column. */
export const MAX_DATASET_NAME_LENGTH = 200;

/** Maximum length of the name in a Content-Disposition header, before the extension. */
const MAX_DOWNLOAD_STEM_LENGTH = 100;

/**
 * Checks the file name a client sent and returns its last path segment. The name is kept only to
 * pick the file type and to show to users; it never names a file on disk. Raises 400 for a
 * missing name, a control character (NUL included), an invisible control character such as a
 * bidirectional override, or a name longer than 255 bytes.
 */
export function cleanClientFileName(raw: string | undefined, field: string): string {
  if (raw === undefined || raw.trim() === '') {
    throw badRequest(
      'invalid_file_name',
      `The ${field} is missing or empty; send the dataset's file name, such as train.jsonl.`,
    );
  }
  const control = firstControlCharacter(raw);
  if (control !== undefined) {
    const code = control.toString(16).toUpperCase().padStart(4, '0');
    throw badRequest(
      'invalid_file_name',
      `The ${field} ${JSON.stringify(raw)} contains the control character U+${code}; ` +
        'rename the file without control characters.',
    );
  }
  const invisible = findInvisibleControl(raw);
  if (invisible !== undefined) {
    throw badRequest(
      'invalid_file_name',
      `The ${field} ${JSON.stringify(raw)} contains the invisible control character ` +
        `${invisible}, which can make the name display differently from what it is; rename the ` +
        'file without it.',
    );
  }
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw badRequest(
      'invalid_file_name',
      `The ${field} ${JSON.stringify(`${raw.slice(0, 40)}…`)} is ${bytes} bytes long, more than ` +
        `the limit of ${MAX_FILE_NAME_BYTES}; rename the file to a shorter name.`,
    );
  }
  const base = path.posix.basename(raw.replaceAll('\\', '/')).trim();
  if (base === '' || base === '.' || base === '..') {
    throw badRequest(
      'invalid_file_name',
      `The ${field} ${JSON.stringify(raw)} names no file; send a name such as train.jsonl.`,
    );
  }
  return base;
}

/**
 * Returns the file type: `explicit` when given, else the file name's extension. Raises 400 when
 * neither names one of json, jsonl, csv or txt, or when the name is only an extension such as
 * `.jsonl`. `request` is the kind of request, a form or a JSON body, whose way of sending the
 * type the message names.
 */
export function fileTypeFor(
  fileName: string,
  explicit: DatasetFileType | undefined,
  request: 'form' | 'json',
): DatasetFileType {
  const bareExtension = /^\.([^.]+)$/.exec(fileName)?.[1]?.toLowerCase();
  if (DATASET_FILE_TYPES.some((type) => type === bareExtension)) {
    throw badRequest(
      'invalid_file_name',
      `The file name ${JSON.stringify(fileName)} has no name before the extension; rename the ` +
        `file, for example to train${fileName}.`,
    );
  }
  if (explicit !== undefined) {
    return explicit;
  }
  const extension = path.extname(fileName).slice(1).toLowerCase();
  const known = DATASET_FILE_TYPES.find((type) => type === extension);
  if (known === undefined) {
    const fieldHint =
      request === 'form'
        ? 'send a fileType part (json, jsonl, csv or txt) before the file part'
        : 'send "fileType" (json, jsonl, csv or txt) in the JSON body';
    throw badRequest(
      'unsupported_file_type',
      `The file name ${JSON.stringify(fileName)} does not end in ` +
        `${DATASET_FILE_TYPES.map((type) => `.${type}`).join(', ')}; rename the file or ` +
        `${fieldHint}.`,
    );
  }
  return known;
}

/** Returns the dataset name to use when none was given: the file name without its extension. */
export function defaultDatasetName(fileName: string): string {
  const stem = fileName.slice(0, fileName.length - path.extname(fileName).length).trim();
  const name = stem === '' ? fileName : stem;
  return Array.from(name).slice(0, MAX_DATASET_NAME_LENGTH).join('');
}

/**
 * Builds a Content-Disposition header that downloads the dataset as `<name>.<type>`: an ASCII
 * `filename` of letters, digits, `.`, `_` and `-` for every client, and the name as UTF-8 in
 * `filename*` (RFC 6266) for clients that read it. Invisible control characters are dropped,
 * because a bidirectional override can make the name display as another file type.
 */
export function contentDisposition(name: string, fileType: DatasetFileType): string {
  const visible = removeInvisibleControls(name.normalize('NFC'));
  const stem = Array.from(visible.trim()).slice(0, MAX_DOWNLOAD_STEM_LENGTH).join('') || 'dataset';
  const ascii =
    stem
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .replace(/_+$/, '') || 'dataset';
  const exact = Array.from(stem, (character) =>
    isControlCharacter(character.charCodeAt(0)) || character === '/' || character === '\\'
      ? '_'
      : character,
  ).join('');
  return (
    `attachment; filename="${ascii}.${fileType}"; ` +
    `filename*=UTF-8''${encodeRfc5987(`${exact}.${fileType}`)}`
  );
}

/** Percent-encodes text for an RFC 5987 `ext-value`, which allows fewer characters than a URI. */
function encodeRfc5987(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*!]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** C0 control characters and DEL, which no file name or header value should contain. */
function isControlCharacter(code: number): boolean {
  return code <= 0x1f || code === 0x7f;
}

function firstControlCharacter(text: string): number | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (isControlCharacter(code)) {
      return code;
    }
  }
  return undefined;
}
