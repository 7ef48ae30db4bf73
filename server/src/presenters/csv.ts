/** One CSV column: its header and how to read its cell from a row. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | number | null;
}

/**
 * Text cells starting with these characters are formulas to spreadsheet programs (=, + and - start
 * a formula, @ a function call, and tab and carriage return are dropped before the check by some).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Writes rows as RFC 4180 CSV: a header line, CRLF line ends, and quotes around every cell that
 * contains a comma, a quote or a line break, with its quotes doubled. A text cell that a
 * spreadsheet would run as a formula gets a leading apostrophe, so it shows as text. Numbers are
 * written as they are, negative ones included, and null is an empty cell.
 */
export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((column) => csvCell(column.header))];
  for (const row of rows) {
    lines.push(columns.map((column) => csvCell(column.value(row))));
  }
  return lines.map((cells) => `${cells.join(',')}\r\n`).join('');
}

/** Returns one CSV cell: guarded against formulas when it is text, then quoted when needed. */
export function csvCell(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? String(value) : '';
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
