// JSON Lines: one object per line, either flat ({"user_id":..,"item_id":..}) or a session with
// nested events (OTTO: {"session":1,"events":[{"aid":..,"ts":..,"type":"clicks"}]}). Both are
// flattened to string records over a fixed column list so the rest of ingest sees one shape.

import type { LineReject, RecordSink } from './csv';
import { RecordView } from './record';

const SAMPLE_LINES = 50;
/**
 * Deepest nesting kept in a value (as JSON text). JSON.parse itself takes any depth, but turning a
 * value nested thousands of levels deep back into text overflows the stack: such a line is rejected.
 */
export const MAX_JSON_DEPTH = 64;
const TOO_DEEP = `JSON nested more than ${MAX_JSON_DEPTH} levels deep`;

class TooDeep extends Error {}

export interface JsonShape {
  columns: string[];
  nested?: 'otto';
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!withinDepth(v, MAX_JSON_DEPTH)) throw new TooDeep();
  return JSON.stringify(v);
}

/** Whether an object or array nests at most `max` levels, walked with an explicit stack (no recursion). */
export function withinDepth(root: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return false;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Works out the columns from the first lines that parse as objects. */
export function sniffJsonShape(text: string): JsonShape {
  const parent: string[] = [];
  const child: string[] = [];
  let nested = false;
  let seen = 0;
  for (const line of text.split('\n')) {
    if (seen >= SAMPLE_LINES) break;
    const t = line.trim();
    if (t === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch {
      continue;
    }
    if (!isObject(obj)) continue;
    seen++;
    const events = obj.events;
    if (Array.isArray(events) && events.some(isObject)) nested = true;
    for (const k of Object.keys(obj)) {
      if (k === 'events' && Array.isArray(events)) continue;
      if (!parent.includes(k)) parent.push(k);
    }
    if (Array.isArray(events)) {
      for (const e of events.slice(0, 50)) {
        if (!isObject(e)) continue;
        for (const k of Object.keys(e)) if (!child.includes(k)) child.push(k);
      }
    }
  }
  if (nested) return { columns: [...parent, ...child.map((k) => `events.${k}`)], nested: 'otto' };
  return { columns: parent };
}

export class JsonlReader {
  line = 0;
  private readonly view = new RecordView();
  private readonly parentKeys: string[];
  private readonly childKeys: string[];

  constructor(private readonly shape: JsonShape) {
    this.parentKeys = shape.columns.filter((c) => !c.startsWith('events.') || !shape.nested);
    this.childKeys = shape.nested ? shape.columns.filter((c) => c.startsWith('events.')).map((c) => c.slice(7)) : [];
  }

  feed(block: string, emit: RecordSink, reject: LineReject): void {
    let pos = 0;
    const n = block.length;
    while (pos < n) {
      let nl = block.indexOf('\n', pos);
      if (nl < 0) nl = n;
      const lineNo = ++this.line;
      const text = block.slice(pos, nl).trim();
      pos = nl + 1;
      if (text === '') continue;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch {
        reject('invalid JSON', lineNo);
        continue;
      }
      if (!isObject(obj)) {
        reject('line is not a JSON object', lineNo);
        continue;
      }
      let head: string[];
      try {
        head = this.parentKeys.map((k) => scalar(obj[k]));
      } catch (e) {
        if (!(e instanceof TooDeep)) throw e;
        reject(TOO_DEEP, lineNo);
        continue;
      }
      if (!this.shape.nested) {
        this.view.setStrings(head);
        emit(this.view, lineNo);
        continue;
      }
      const events = obj.events;
      if (!Array.isArray(events) || events.length === 0) {
        reject('no events in this line', lineNo);
        continue;
      }
      for (const e of events) {
        if (!isObject(e)) {
          reject('event is not a JSON object', lineNo);
          continue;
        }
        const row = head.slice();
        try {
          for (const k of this.childKeys) row.push(scalar(e[k]));
        } catch (err) {
          if (!(err instanceof TooDeep)) throw err;
          reject(TOO_DEEP, lineNo);
          continue;
        }
        this.view.setStrings(row);
        emit(this.view, lineNo);
      }
    }
  }

  /** Lines are self-contained: nothing is left over at the end. */
  finish(): void {}

  /** Lines are records, so every line end is a record boundary. */
  atRecordStart(): boolean {
    return true;
  }

  skipLine(): number {
    return ++this.line;
  }
}
