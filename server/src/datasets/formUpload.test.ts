import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, afterEach, before, describe, test } from 'node:test';
import { Dataset } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import {
  cutOffRequest,
  eventually,
  listFiles,
  multipart,
  rawRequest,
  type FormPart,
  type RawResponse,
} from './testing/requests.js';

const RECORD = '{"instruction":"Say hi","output":"Hi"}\n';

describe(`dataset upload hostile input (${testDialect})`, () => {
  let server: TestServer;
  let token: string;
  let datasetsDir: string;
  let filesBefore: string[];
  let rowsBefore: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    token = (await server.signUp('mallory')).accessToken;
    datasetsDir = path.join(server.config.dataDir, 'datasets');
    filesBefore = [];
    rowsBefore = 0;
  });

  after(async () => {
    await server.close();
  });

  /** Every rejected upload must leave the store and the table as they were. */
  afterEach(async () => {
    const settled = await eventually(() => listFiles(path.join(datasetsDir, 'tmp')).length === 0);
    assert.ok(settled, 'a temporary file was left behind');
    filesBefore = listFiles(datasetsDir);
    rowsBefore = await Dataset.count();
  });

  const send = (body: Buffer, contentType: string): Promise<RawResponse> =>
    rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
      body,
    });

  const sendForm = (parts: FormPart[]) => {
    const { body, contentType } = multipart(parts);
    return send(body, contentType);
  };

  const assertNothingStored = async () => {
    assert.deepEqual(listFiles(datasetsDir), filesBefore);
    assert.equal(await Dataset.count(), rowsBefore);
  };

  const rejections: [string, FormPart[], number, string, RegExp][] = [
    [
      'two files',
      [
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
        { name: 'file', fileName: 'b.jsonl', data: RECORD },
      ],
      400,
      'invalid_form',
      /more than one file; send one dataset file per request/,
    ],
    [
      'no file',
      [{ name: 'name', data: 'No file here' }],
      400,
      'invalid_form',
      /no file; send the dataset in a part named file/,
    ],
    [
      'a file in another part',
      [{ name: 'dataset', fileName: 'a.jsonl', data: RECORD }],
      400,
      'invalid_form',
      /part "dataset"; send the dataset in a part named file/,
    ],
    [
      'an unknown field',
      [
        { name: 'owner', data: '1' },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'invalid_form',
      /field "owner" is not accepted/,
    ],
    [
      'fileType after the file',
      [
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
        { name: 'fileType', data: 'jsonl' },
      ],
      400,
      'invalid_form',
      /send it before the file part/,
    ],
    [
      'a path without a dataset extension',
      [{ name: 'file', fileName: '../../etc/passwd', data: 'root:x:0:0\n' }],
      400,
      'unsupported_file_type',
      /"passwd" does not end in \.json, \.jsonl, \.csv, \.txt/,
    ],
    [
      'a NUL in the file name',
      [
        {
          name: 'file',
          disposition: `form-data; name="file"; filename*=UTF-8''evil%00.jsonl`,
          data: RECORD,
        },
      ],
      400,
      'invalid_file_name',
      /"evil\\u0000.jsonl" contains the control character U\+0000; rename the file/,
    ],
    [
      'a raw NUL in the part header',
      [{ name: 'file', fileName: 'evil\u0000.jsonl', data: RECORD }],
      400,
      'invalid_form',
      /multipart body is malformed/,
    ],
    [
      'a very long file name',
      [{ name: 'file', fileName: `${'n'.repeat(300)}.jsonl`, data: RECORD }],
      400,
      'invalid_file_name',
      /306 bytes long, more than the limit of 255/,
    ],
    [
      'an empty file',
      [{ name: 'file', fileName: 'empty.jsonl', data: '' }],
      400,
      'empty_file',
      /"empty.jsonl" is empty; upload a file with at least one record/,
    ],
    [
      'a file with no valid record',
      [{ name: 'file', fileName: 'junk.jsonl', data: 'not json\nstill not\n' }],
      422,
      'no_valid_records',
      /no valid JSONL dataset record \(line 1: Invalid JSON/,
    ],
    [
      'a Latin-1 file',
      [
        {
          name: 'file',
          fileName: 'latin1.jsonl',
          data: Buffer.from('{"text":"caf\u00e9"}\n', 'latin1'),
        },
      ],
      422,
      'invalid_encoding',
      /"latin1.jsonl" was not stored\. The file is not valid UTF-8: byte offset 12/,
    ],
    [
      'a UTF-16 file',
      [
        {
          name: 'file',
          fileName: 'utf16.jsonl',
          data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(RECORD, 'utf16le')]),
        },
      ],
      422,
      'invalid_encoding',
      /is UTF-16/,
    ],
    [
      'a name with a control character',
      [
        { name: 'name', data: 'bell\u0007' },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.name: must not contain the control character U\+0007/,
    ],
    [
      'a name that is too long',
      [
        { name: 'name', data: 'x'.repeat(201) },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.name: must be at most 200 characters/,
    ],
    [
      'an unknown fileType',
      [
        { name: 'fileType', data: 'parquet' },
        { name: 'file', fileName: 'a.parquet', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.fileType: must be one of json, jsonl, csv, txt/,
    ],
    [
      'an unknown extension',
      [{ name: 'file', fileName: 'a.parquet', data: RECORD }],
      400,
      'unsupported_file_type',
      /rename the file or send a fileType part \(json, jsonl, csv or txt\) before the file part\.$/,
    ],
    [
      'a file name that is only an extension',
      [{ name: 'file', fileName: '.jsonl', data: RECORD }],
      400,
      'invalid_file_name',
      /"\.jsonl" has no name before the extension; rename the file, for example to train\.jsonl/,
    ],
    [
      'a right-to-left override in the file name',
      [{ name: 'file', fileName: 'report\u202Elsnoj.exe', data: RECORD }],
      400,
      'invalid_file_name',
      /contains the invisible control character U\+202E \(right-to-left override\)/,
    ],
    [
      'a bidirectional isolate in the name',
      [
        { name: 'name', data: 'set \u2066one\u2069' },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.name: must not contain the invisible control character U\+2066 \(left-to-right isolate\)/,
    ],
    [
      'a C1 control in the name',
      [
        { name: 'name', data: 'set\u0085' },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.name: must not contain the invisible control character U\+0085/,
    ],
    [
      'a name of zero-width spaces',
      [
        { name: 'name', data: '\u200b\u200b' },
        { name: 'file', fileName: 'a.jsonl', data: RECORD },
      ],
      400,
      'validation_failed',
      /form\.name: must contain visible text/,
    ],
    [
      'a tab-separated CSV',
      [{ name: 'file', fileName: 'tabs.csv', data: 'instruction\toutput\nSay hi\tHi\n' }],
      422,
      'no_valid_records',
      /line 1: The CSV header has one column, "instruction\\toutput", which contains tabs: the file looks tab-separated/,
    ],
    [
      'a file whose every record LLaMA-Factory skips',
      [
        {
          name: 'file',
          fileName: 'skipped.jsonl',
          data: '{"messages":[{"role":"user","content":"Q"}]}\n',
        },
      ],
      422,
      'no_valid_records',
      /no valid JSONL dataset record: LLaMA-Factory would skip all 1 of its records; fix the turn_order warnings/,
    ],
  ];
  for (const [label, parts, status, code, message] of rejections) {
    test(`form with ${label} is rejected`, async () => {
      const response = await sendForm(parts);

      assert.equal(response.status, status, response.text);
      assert.equal(response.json.error?.code, code);
      assert.match(response.json.error?.message ?? '', message);
      await assertNothingStored();
    });
  }

  test('rejection waits for a late file open', async (t) => {
    // On a busy machine the temporary file can still be opening when the form is rejected. Opening
    // .part files 100 ms late makes that order certain.
    const realOpen = fs.open;
    t.mock.method(fs, 'open', (...args: Parameters<typeof fs.open>) => {
      const late = String(args[0]).endsWith('.part');
      setTimeout(() => Reflect.apply(realOpen, fs, args), late ? 100 : 0);
    });

    const response = await sendForm([
      { name: 'file', fileName: 'late.jsonl', data: RECORD },
      { name: 'fileType', data: 'jsonl' },
    ]);
    t.mock.restoreAll();

    assert.equal(response.status, 400, response.text);
    assert.deepEqual(listFiles(path.join(datasetsDir, 'tmp')), []);
    await delay(150);
    assert.deepEqual(listFiles(path.join(datasetsDir, 'tmp')), []);
  });

  test('invalid file keeps its report in the error details', async () => {
    const response = await sendForm([{ name: 'file', fileName: 'junk.csv', data: 'a,b\n"open\n' }]);

    assert.equal(response.status, 422, response.text);
    const details = response.json.error?.details as { report: { errors: unknown[] } };
    assert.ok(details.report.errors.length > 0);
  });

  test('directories in the file name are dropped', async () => {
    const unix = await sendForm([{ name: 'file', fileName: '../../escape.jsonl', data: RECORD }]);
    const windows = await sendForm([
      { name: 'file', fileName: 'C:\\Users\\m\\win.jsonl', data: '{"text":"windows"}\n' },
    ]);

    assert.equal(unix.status, 201, unix.text);
    assert.equal(
      (unix.json.dataset as { originalFileName: string }).originalFileName,
      'escape.jsonl',
    );
    assert.equal(windows.status, 201, windows.text);
    assert.equal(
      (windows.json.dataset as { originalFileName: string }).originalFileName,
      'win.jsonl',
    );
    const outside = listFiles(server.config.dataDir).filter((file) => !file.startsWith('datasets'));
    assert.ok(!outside.some((file) => file.includes('escape') || file.includes('win')));
  });

  test('fileType before the file sets the type', async () => {
    const response = await sendForm([
      { name: 'fileType', data: 'jsonl' },
      { name: 'file', fileName: 'export.data', data: '{"text":"typed"}\n' },
    ]);

    assert.equal(response.status, 201, response.text);
    assert.equal((response.json.dataset as { fileType: string }).fileType, 'jsonl');
  });

  test('JSON body is rejected with 415', async () => {
    const response = await send(Buffer.from('{"file":"x"}'), 'application/json');

    assert.equal(response.status, 415);
    assert.match(
      response.json.error?.message ?? '',
      /multipart\/form-data with the file in a part named file/,
    );
    await assertNothingStored();
  });

  test('malformed JSON body is rejected with 415', async () => {
    const response = await send(Buffer.from('{"file":'), 'application/json');

    assert.equal(response.status, 415, response.text);
    assert.equal(response.json.error?.code, 'unsupported_media_type');
    await assertNothingStored();
  });

  test('multipart without a boundary is rejected', async () => {
    for (const contentType of ['multipart/form-data; charset=utf-8', 'multipart/form-data']) {
      const response = await send(Buffer.from('x'), contentType);

      assert.equal(response.status, 400, `${contentType}: ${response.text}`);
      assert.equal(response.json.error?.code, 'invalid_form');
      assert.match(
        response.json.error?.message ?? '',
        /has no boundary parameter, so the parts of the form cannot be found; send multipart\/form-data; boundary=<boundary>/,
      );
    }
    await assertNothingStored();
  });

  test('form without its closing boundary is rejected', async () => {
    const { body, contentType } = multipart([{ name: 'file', fileName: 'a.jsonl', data: RECORD }]);
    const truncated = body.subarray(0, body.length - 30);

    const response = await send(truncated, contentType);

    assert.equal(response.status, 400, response.text);
    assert.equal(response.json.error?.code, 'invalid_form');
    await assertNothingStored();
  });

  test('body cut off mid-file leaves nothing', async () => {
    const data = Buffer.from(RECORD.repeat(20_000));
    const { body, contentType } = multipart([{ name: 'file', fileName: 'cut.jsonl', data }]);

    await cutOffRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
      sent: body.subarray(0, Math.floor(body.length / 2)),
      declaredLength: body.length,
    });

    assert.ok(await eventually(() => listFiles(path.join(datasetsDir, 'tmp')).length === 0));
    await assertNothingStored();
    const health = await server.request('GET', '/api/health');
    assert.equal(health.status, 200);
  });
});
