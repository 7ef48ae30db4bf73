import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvCell, toCsv } from './csv.js';

describe('csvCell', () => {
  // [case, value, expected cell]
  const cases: [string, string | number | null, string][] = [
    ['plain text', 'gpt-4o', 'gpt-4o'],
    ['empty text', '', ''],
    ['null', null, ''],
    ['integer', 1500, '1500'],
    ['fraction', 0.0625, '0.0625'],
    ['negative number', -3, '-3'],
    ['not a number', Number.NaN, ''],
    ['comma', 'a,b', '"a,b"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['line feed', 'one\ntwo', '"one\ntwo"'],
    ['carriage return inside', 'one\rtwo', '"one\rtwo"'],
    ['equals sign', '=1+2', "'=1+2"],
    ['plus sign', '+1', "'+1"],
    ['minus sign as text', '-1', "'-1"],
    ['at sign', '@SUM(A1)', "'@SUM(A1)"],
    ['leading tab', '\t=1', "'\t=1"],
    ['leading carriage return', '\r=1', '"\'\r=1"'],
    ['formula with comma', '=SUM(A1,B1)', '"\'=SUM(A1,B1)"'],
    ['formula with quotes', '=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['sign inside text', 'a=b', 'a=b'],
    ['email', 'ada@example.com', 'ada@example.com'],
  ];
  for (const [name, value, expected] of cases) {
    test(name, () => {
      assert.equal(csvCell(value), expected);
    });
  }
});

describe('toCsv', () => {
  test('writes header and CRLF lines', () => {
    const columns = [
      { header: 'name', value: (row: { name: string; count: number }) => row.name },
      { header: 'count', value: (row: { name: string; count: number }) => row.count },
    ];

    const csv = toCsv(columns, [
      { name: 'a', count: 1 },
      { name: 'b,c', count: 2 },
    ]);

    assert.equal(csv, 'name,count\r\na,1\r\n"b,c",2\r\n');
  });

  test('writes only the header without rows', () => {
    assert.equal(toCsv([{ header: 'day', value: () => null }], []), 'day\r\n');
  });
});
