import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exportFileName } from './exportFileName.js';

describe('exportFileName', () => {
  const cases: [string, string | null, string, string][] = [
    ['plain title', 'Koa streaming', 'Koa streaming.md', 'Koa streaming.md'],
    ['no title', null, 'chat-7.md', 'chat-7.md'],
    ['path separators', '../../etc/passwd', 'etc passwd.md', 'etc passwd.md'],
    ['backslash and drive', 'C:\\Windows\\win.ini', 'C Windows win.ini.md', 'C Windows win.ini.md'],
    ['Windows-reserved characters', 'a*b?c"d<e>f|g', 'a b c d e f g.md', 'a b c d e f g.md'],
    ['control characters', 'line\u0000one\u001ftwo', 'line one two.md', 'line one two.md'],
    ['only unsafe characters', '/// ...', 'chat-7.md', 'chat-7.md'],
    ['Windows device name', 'CON', 'chat-7.md', 'chat-7.md'],
    ['Windows device name with extension', 'nul.txt', 'chat-7.md', 'chat-7.md'],
    ['accents', 'Café résumé', 'Café résumé.md', 'Cafe resume.md'],
    ['non-Latin script', 'Чат про SSE', 'Чат про SSE.md', '_ _ SSE.md'],
    ['only non-Latin script', '日本語', '日本語.md', 'chat-7.md'],
    ['trailing dots', 'Question...', 'Question.md', 'Question.md'],
    ['right-to-left override', 'invoice\u202Edm.exe', 'invoicedm.exe.md', 'invoicedm.exe.md'],
    ['bidirectional isolates', '\u2067abc\u2069 \u200Fx', 'abc x.md', 'abc x.md'],
    ['C1 controls', 'a\u0085b\u009Fc', 'abc.md', 'abc.md'],
    ['line separator', 'one\u2028two', 'onetwo.md', 'onetwo.md'],
  ];
  for (const [name, title, expected, expectedAscii] of cases) {
    test(name, () => {
      const fileName = exportFileName(title, 7, 'md');

      assert.equal(fileName.name, expected);
      assert.equal(fileName.asciiName, expectedAscii);
    });
  }

  test('long title cut', () => {
    const fileName = exportFileName('abc '.repeat(100), 1, 'txt');

    assert.equal(fileName.name, `${'abc '.repeat(24)}abc.txt`);
  });
});
