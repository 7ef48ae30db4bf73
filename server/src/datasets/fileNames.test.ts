import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../errors.js';
import {
  cleanClientFileName,
  contentDisposition,
  defaultDatasetName,
  fileTypeFor,
} from './fileNames.js';

const rejectsWith = (code: string) => (error: unknown) =>
  error instanceof HttpError && error.status === 400 && error.code === code;

describe('cleanClientFileName', () => {
  const kept: [string, string][] = [
    ['train.jsonl', 'train.jsonl'],
    ['../../etc/passwd', 'passwd'],
    ['/abs/path/data.csv', 'data.csv'],
    ['C:\\Users\\me\\data.json', 'data.json'],
    ['  spaced.txt  ', 'spaced.txt'],
    ['données.jsonl', 'données.jsonl'],
  ];
  for (const [raw, expected] of kept) {
    test(`keeps ${JSON.stringify(expected)} of ${JSON.stringify(raw)}`, () => {
      assert.equal(cleanClientFileName(raw, 'file name'), expected);
    });
  }

  const rejected: [string | undefined, string][] = [
    [undefined, 'missing'],
    ['   ', 'missing'],
    ['a\u0000.jsonl', 'U+0000'],
    ['a\nb.jsonl', 'U+000A'],
    ['a\u007f.jsonl', 'U+007F'],
    ['../..', 'names no file'],
    ['/', 'names no file'],
    [`${'é'.repeat(128)}.txt`, '260 bytes long'],
    ['invoice\u202Elsnoj.exe', 'invisible control character U+202E (right-to-left override)'],
    ['a\u2066b.jsonl', 'U+2066 (left-to-right isolate)'],
    ['a\u200Eb.jsonl', 'U+200E (left-to-right mark)'],
    ['a\u0085b.jsonl', 'U+0085 (C1 control character)'],
    ['a\u2029b.jsonl', 'U+2029 (paragraph separator)'],
  ];
  for (const [raw, message] of rejected) {
    test(`rejects ${JSON.stringify(raw)}`, () => {
      assert.throws(
        () => cleanClientFileName(raw, 'file name'),
        (error: unknown) =>
          rejectsWith('invalid_file_name')(error) && (error as Error).message.includes(message),
      );
    });
  }
});

describe('fileTypeFor', () => {
  test('reads the extension without regard to case', () => {
    assert.equal(fileTypeFor('DATA.JSONL', undefined, 'form'), 'jsonl');
    assert.equal(fileTypeFor('table.Csv', undefined, 'form'), 'csv');
  });

  test('an explicit type wins over the extension', () => {
    assert.equal(fileTypeFor('export.data', 'json', 'form'), 'json');
    assert.equal(fileTypeFor('data.csv', 'txt', 'json'), 'txt');
  });

  test('an unknown extension names the accepted ones', () => {
    assert.throws(
      () => fileTypeFor('model.parquet', undefined, 'form'),
      (error: unknown) =>
        rejectsWith('unsupported_file_type')(error) &&
        (error as Error).message.includes('.json, .jsonl, .csv, .txt') &&
        (error as Error).message.includes('send a fileType part (json, jsonl, csv or txt) before'),
    );
  });

  test('JSON request told to send the fileType field', () => {
    assert.throws(
      () => fileTypeFor('a.parquet', undefined, 'json'),
      (error: unknown) =>
        rejectsWith('unsupported_file_type')(error) &&
        (error as Error).message.endsWith(
          'rename the file or send "fileType" (json, jsonl, csv or txt) in the JSON body.',
        ) &&
        !(error as Error).message.includes('part'),
    );
  });

  test('name that is only an extension rejected', () => {
    for (const name of ['.jsonl', '.CSV']) {
      assert.throws(
        () => fileTypeFor(name, undefined, 'form'),
        (error: unknown) =>
          rejectsWith('invalid_file_name')(error) &&
          (error as Error).message.includes('has no name before the extension'),
        name,
      );
    }
  });
});

describe('defaultDatasetName', () => {
  test('drops the extension', () => {
    assert.equal(defaultDatasetName('train.jsonl'), 'train');
    assert.equal(defaultDatasetName('archive.tar.json'), 'archive.tar');
  });

  test('keeps a name that is only an extension', () => {
    assert.equal(defaultDatasetName('.jsonl'), '.jsonl');
  });

  test('cuts a long name to 200 characters', () => {
    assert.equal(defaultDatasetName(`${'😀'.repeat(250)}.txt`), '😀'.repeat(200));
  });
});

describe('contentDisposition', () => {
  const cases: [string, string, string][] = [
    ['train', 'attachment; filename="train.jsonl"', "filename*=UTF-8''train.jsonl"],
    [
      'my set (v2)',
      'attachment; filename="my_set_v2.jsonl"',
      "filename*=UTF-8''my%20set%20%28v2%29.jsonl",
    ],
    [
      '../../etc/passwd',
      'attachment; filename="etc_passwd.jsonl"',
      "filename*=UTF-8''.._.._etc_passwd.jsonl",
    ],
    [
      '"; evil=1',
      'attachment; filename="evil_1.jsonl"',
      "filename*=UTF-8''%22%3B%20evil%3D1.jsonl",
    ],
    [
      '日本語',
      'attachment; filename="dataset.jsonl"',
      "filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.jsonl",
    ],
    [
      'invoice\u202Elsnoj.exe',
      'attachment; filename="invoicelsnoj.exe.jsonl"',
      "filename*=UTF-8''invoicelsnoj.exe.jsonl",
    ],
    ['a\u2067b\u2069\u0085c', 'attachment; filename="abc.jsonl"', "filename*=UTF-8''abc.jsonl"],
    ['\u202E', 'attachment; filename="dataset.jsonl"', "filename*=UTF-8''dataset.jsonl"],
  ];
  for (const [name, asciiPart, utf8Part] of cases) {
    test(`quotes ${JSON.stringify(name)} safely`, () => {
      const header = contentDisposition(name, 'jsonl');

      assert.ok(header.startsWith(`${asciiPart}; `), header);
      assert.ok(header.endsWith(utf8Part), header);
      assert.doesNotMatch(header, /[\r\n]/);
    });
  }
});
