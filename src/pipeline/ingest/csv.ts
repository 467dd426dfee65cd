// A streaming CSV record reader. Most lines hold no quote at all, so they take a fast path (field
// ranges found with native indexOf, no strings made); only records with a '"' go through the
// RFC 4180 state machine, which also handles quoted fields that span lines and blocks.
//
// Every search below is bounded by what it is looking for, so a block costs time linear in its
// length whatever its shape (no quotes, a quote per row, one column, 500 columns). The plain lines
// before the next quote are read by a loop of their own (plainLines) that never looks for quotes:
// when the quote search sat in the per-line loop as a loop-invariant value, Node 20's V8 (11.3;
// Chromium 156 does not) searched the rest of the block again on every line of a file with no
// quote at all, where the quoted branch never ran: quadratic in the block size, and 5-30x slower
// than the same file with one quoted field in a thousand rows.

import { RecordView } from './record';

export type RecordSink = (record: RecordView, line: number) => void;
export type LineReject = (reason: string, line: number) => void;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

/** Picks the delimiter whose per-line count (outside quotes) is highest and most consistent. */
export function sniffDelimiter(sample: string): string {
  const lines = sample
    .split(/\r?\n/)
    .filter((l) => l.length > 0)
    .slice(0, 30);
  let best = ',';
  let bestScore = -1;
  for (const d of CANDIDATE_DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === d && !quoted) n++;
  }
  return n;
}

export class CsvReader {
  /** Text of a record whose quoted field is still open at the end of the last block. */
  private pending = '';
  private pendingLine = 0;
  /** Number of the last line consumed (1-based). */
  line = 0;
  private readonly view = new RecordView();
  private readonly delimiterCode: number;

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
  ) {
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /**
   * Feeds a block of whole lines (it ends with '\n' unless `final`). Records are emitted with the
   * line number where they start; rows that cannot be read are reported to `reject`.
   */
  feed(block: string, emit: RecordSink, reject: LineReject, final = false): void {
    let text = block;
    if (this.pending !== '') {
      text = this.pending + block;
      this.line = this.pendingLine - 1;
      this.pending = '';
    }
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      // Whole lines before the line of the next quote have no quote: read them the plain way.
      const quote = text.indexOf('"', pos);
      const plainEnd = quote < 0 ? n : text.lastIndexOf('\n', quote) + 1;
      if (plainEnd > pos) {
        this.plainLines(text, pos, plainEnd, emit);
        pos = plainEnd;
        if (pos >= n) break;
      }
      const lineNo = ++this.line;
      const next = this.parseQuoted(text, pos, lineNo, emit);
      if (next < 0) {
        // The record's quote is still open: keep it for the next block, unless it is too long to be real.
        const rest = text.slice(pos);
        if (!final && rest.length <= this.maxRecordChars) {
          this.pending = rest;
          this.pendingLine = lineNo;
          return;
        }
        reject(final ? 'unclosed quote' : 'record too long (unclosed quote?)', lineNo);
        // Resynchronise on the next line, treating the bad line as lost.
        this.line = lineNo;
        const nl = text.indexOf('\n', pos);
        pos = nl < 0 ? n : nl + 1;
        continue;
      }
      pos = next;
    }
  }

  /**
   * Emits the lines of text[pos, to), which hold no '"'; `to` is a line start or the end of the
   * text. Field ranges point into the block itself: no line or field strings are made here.
   */
  private plainLines(text: string, pos: number, to: number, emit: RecordSink): void {
    const d = this.delimiter;
    const v = this.view;
    // The next delimiter at or after the search point: a line's last field finds the next line's
    // first delimiter, which is then reused; where lines have none (one column) it is found once,
    // not once per line, so the search never rescans the rest of the block.
    let nextD = -1;
    while (pos < to) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > to) nl = to;
      const lineNo = ++this.line;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      if (end > pos) {
        v.reset(text);
        let s = pos;
        for (;;) {
          if (nextD < s) {
            nextD = text.indexOf(d, s);
            if (nextD < 0) nextD = text.length;
          }
          if (nextD >= end) {
            v.push(s, end);
            break;
          }
          v.push(s, nextD);
          s = nextD + 1;
        }
        emit(v, lineNo);
      }
      pos = nl + 1;
    }
  }

  /** Whether the text fed so far ended between records (no quoted field left open). */
  atRecordStart(): boolean {
    return this.pending === '';
  }

  /** Flushes a record left open at end of input. */
  finish(emit: RecordSink, reject: LineReject): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.line = this.pendingLine - 1;
    this.feed(text, emit, reject, true);
  }

  /** Counts a line that never reached the reader (e.g. skipped for its length). */
  skipLine(): number {
    return ++this.line;
  }

  /** Parses one record starting at `pos`; returns the index after it, or -1 if the text ends inside a quote. */
  private parseQuoted(text: string, pos: number, lineNo: number, emit: RecordSink): number {
    const d = this.delimiter;
    const dc = this.delimiterCode;
    const n = text.length;
    const v = this.view;
    v.reset(text);
    // Fields stay ranges over the block (inside the quotes) unless one needs unescaping ("" or
    // text after the closing quote); from then on the record is built from strings.
    let strings: string[] | null = null;
    let i = pos;
    let extraLines = 0;
    // The next '\n' at or after the last place looked: kept across the record's fields, so line
    // breaks inside quotes are counted with native searches that never pass the same text twice
    // (searching from each field to the line's end made a wide quoted row quadratic in its width).
    let nextNl = -1;
    for (;;) {
      let start: number;
      let end: number;
      let value: string | null = null;
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let unescaped: string | null = null;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) return -1;
          if (text.charCodeAt(q + 1) === 34) {
            unescaped = (unescaped ?? '') + text.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (unescaped !== null) unescaped += text.slice(j, q);
          start = i + 1;
          end = q;
          i = q + 1;
          break;
        }
        if (nextNl < start) nextNl = text.indexOf('\n', start);
        while (nextNl >= 0 && nextNl < end) {
          extraLines++;
          nextNl = text.indexOf('\n', nextNl + 1);
        }
        if (nextNl < 0) nextNl = n;
        // Be lenient with text between the closing quote and the delimiter (`"a"b,`).
        const stop = nextStop(text, i, dc, n);
        if (stop > i) value = (unescaped ?? text.slice(start, end)) + text.slice(i, stop).replace(/\r$/, '');
        else value = unescaped;
        i = stop;
      } else {
        const stop = nextStop(text, i, dc, n);
        start = i;
        end = stop;
        if (end > start && text.charCodeAt(end - 1) === 13 && (stop === n || text[stop] === '\n')) end--;
        i = stop;
      }
      if (value !== null && strings === null) strings = v.fields();
      if (strings !== null) strings.push(value ?? text.slice(start, end));
      else v.push(start, end);
      if (i < n && text[i] === d) {
        i++;
        continue;
      }
      // End of record: newline or end of text.
      this.line = lineNo + extraLines;
      if (strings !== null) v.setStrings(strings);
      emit(v, lineNo);
      return i < n ? i + 1 : n;
    }
  }
}

/** The first delimiter or '\n' at or after `from` (n if none): one pass that stops at whichever comes first. */
function nextStop(text: string, from: number, dc: number, n: number): number {
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === dc || c === 10) return i;
    i++;
  }
  return n;
}
