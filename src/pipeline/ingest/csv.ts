// A streaming CSV record reader. Most lines hold no quote at all, so they take a fast path
// (String.prototype.split, native and quick); only lines with a '"' go through the RFC 4180 state
// machine, which also handles quoted fields that span lines and blocks.

import { RecordView } from './record';

export type RecordSink = (record: RecordView, line: number) => void;
export type LineReject = (reason: string, line: number) => void;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'];

/** Picks the delimiter whose per-line count (outside quotes) is highest and most consistent. */
export function sniffDelimiter(sample: string): string {
  const lines = sample.split(/\r?\n/).filter((l) => l.length > 0).slice(0, 30);
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

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
  ) {}

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
    const d = this.delimiter;
    const n = text.length;
    let pos = 0;
    let nextQuote = text.indexOf('"');
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = n;
      const lineNo = ++this.line;
      if (nextQuote < 0 || nextQuote > nl) {
        let end = nl;
        if (end > pos && text.charCodeAt(end - 1) === 13) end--;
        if (end > pos) {
          // Field ranges over the block itself: no line or field strings are made here.
          const v = this.view;
          v.reset(text);
          let s = pos;
          for (;;) {
            const at = text.indexOf(d, s);
            if (at < 0 || at >= end) {
              v.push(s, end);
              break;
            }
            v.push(s, at);
            s = at + 1;
          }
          emit(v, lineNo);
        }
        pos = nl + 1;
        continue;
      }
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
        pos = nl + 1;
        nextQuote = text.indexOf('"', pos);
        continue;
      }
      pos = next;
      nextQuote = text.indexOf('"', pos);
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
    const n = text.length;
    const v = this.view;
    v.reset(text);
    // Fields stay ranges over the block (inside the quotes) unless one needs unescaping ("" or
    // text after the closing quote); from then on the record is built from strings.
    let strings: string[] | null = null;
    let i = pos;
    let extraLines = 0;
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
        for (let k = text.indexOf('\n', start); k >= 0 && k < end; k = text.indexOf('\n', k + 1)) extraLines++;
        // Be lenient with text between the closing quote and the delimiter (`"a"b,`).
        const stop = nextStop(text, i, d, n);
        if (stop > i) value = (unescaped ?? text.slice(start, end)) + text.slice(i, stop).replace(/\r$/, '');
        else value = unescaped;
        i = stop;
      } else {
        const stop = nextStop(text, i, d, n);
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

function nextStop(text: string, from: number, d: string, n: number): number {
  let a = text.indexOf(d, from);
  let b = text.indexOf('\n', from);
  if (a < 0) a = n;
  if (b < 0) b = n;
  return a < b ? a : b;
}
