// CSV writing for the exports. RFC 4180 quoting, plus formula-injection neutralisation: user ids,
// titles and categories come from the uploaded log, so a cell like `=HYPERLINK(...)` or
// `=cmd|' /C calc'!A0` must not run when the merchant opens the file in a spreadsheet.

/** Text that a spreadsheet would read as a formula (or that hides one behind a tab or carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Text that needs quoting under RFC 4180 (the delimiter, the quote, any line break). */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Line ends are CRLF, as RFC 4180 §2 specifies: Excel, LibreOffice, Google Sheets, pandas and R all
 * read it, and it is what a spreadsheet user on Windows (the main consumer of these files) expects.
 * Line breaks inside a quoted field are kept as they were.
 */
export const CSV_EOL = '\r\n';

/**
 * One CSV field: RFC 4180 quoting; TEXT beginning with = + - @ (or tab / CR) is neutralised with a
 * leading ' (formula injection). Numbers are never neutralised (-1.5 stays -1.5): finite -> the
 * shortest string that reads back as the same number, NaN, ±Infinity, null and undefined -> empty.
 *
 * The leading ' is what OWASP recommends and what spreadsheets hide; a program reading the file
 * back gets `'=...` for such a cell (see the tests' round trip).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const v = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Lines per part of a long file. A file is handed around as parts, never as one string: V8 caps a
 * string at 2^29 - 24 characters (536,870,888 in Node 20 and Chrome), which the recommendations of
 * a log of a million anonymous sessions pass (4.6M lines, 457 MB), and the final join of millions
 * of lines into one string held them and the result at once. A part of 16,384 lines is 1-4 MB.
 */
export const PART_LINES = 16_384;

/**
 * Header and rows as CSV text in parts (see PART_LINES): each part is whole lines, each line ends
 * with CRLF (see CSV_EOL); the parts joined are the file.
 */
export function csvParts(header: readonly string[], rows: Iterable<readonly (string | number | null | undefined)[]>, partLines = PART_LINES): string[] {
  // Lines joined once per part: string concatenation in a loop builds ropes that are slow to
  // flatten, and a line built with += is a rope of a node per piece until the join (3.3 GB of
  // heap for the 4.6M lines of a big recommendations.csv, 1.6 GB with each line joined flat).
  const parts: string[] = [];
  let lines: string[] = [header.map(csvCell).join(',')];
  const cells: string[] = [];
  for (const row of rows) {
    cells.length = row.length;
    for (let j = 0; j < row.length; j++) cells[j] = csvCell(row[j]);
    lines.push(cells.join(','));
    if (lines.length >= partLines) {
      parts.push(lines.join(CSV_EOL) + CSV_EOL);
      lines = [];
    }
  }
  if (lines.length > 0) parts.push(lines.join(CSV_EOL) + CSV_EOL);
  return parts;
}

/** Header and rows as one CSV text (small tables; a long one goes as csvParts). */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number | null | undefined)[]>): string {
  return csvParts(header, rows).join('');
}

/**
 * The shortest decimal that reads back (through Math.fround) as the same float32: layout
 * coordinates are Float32, and their double expansion (0.10000000149011612) is noise in a file.
 */
export function float32Number(v: number): number {
  if (!Number.isFinite(v)) return v;
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(f.toPrecision(p));
    if (Math.fround(s) === f) return s;
  }
  return f; // not reached: 9 significant digits always identify a float32
}
