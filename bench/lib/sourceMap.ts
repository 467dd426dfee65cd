// Minimal source-map lookup (v3, VLQ "mappings"): turns a position in the minified bundle, as a
// CPU profile or a long-animation-frame entry reports it, back into the source file, line and name.
// Enough for benchmark reports; no sections or index maps (Vite writes plain maps).

import { existsSync, readFileSync } from 'node:fs';

export interface Original {
  source: string;
  line: number;
  column: number;
  name: string | null;
}

interface RawMap {
  sources: string[];
  names: string[];
  mappings: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Per generated line (0-based): segments [column, source, line, column, name?] flattened, sorted by column. */
type Lines = Int32Array[];

function decode(mappings: string): Lines {
  const lines: Lines = [];
  let source = 0;
  let origLine = 0;
  let origCol = 0;
  let name = 0;
  for (const lineText of mappings.split(';')) {
    const segs: number[] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (seg === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (let i = 0; i < seg.length; i++) {
        const digit = B64_INDEX[seg.charCodeAt(i)];
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += fields[0];
      if (fields.length < 4) continue;
      source += fields[1];
      origLine += fields[2];
      origCol += fields[3];
      if (fields.length > 4) name += fields[4];
      segs.push(genCol, source, origLine, origCol, fields.length > 4 ? name : -1);
    }
    lines.push(Int32Array.from(segs));
  }
  return lines;
}

export class SourceMap {
  private readonly lines: Lines;
  private constructor(private readonly raw: RawMap) {
    this.lines = decode(raw.mappings);
  }

  /** The map next to a bundle file (file + '.map'), or null when there is none. */
  static forBundle(file: string): SourceMap | null {
    const path = `${file}.map`;
    if (!existsSync(path)) return null;
    return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as RawMap);
  }

  /** 0-based line and column in the bundle; the last mapping at or before the column. */
  lookup(line: number, column: number): Original | null {
    const segs = this.lines[line];
    if (!segs || segs.length === 0) return null;
    let lo = 0;
    let hi = segs.length / 5 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid * 5] <= column) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    const s = found * 5;
    return { source: this.raw.sources[segs[s + 1]], line: segs[s + 2] + 1, column: segs[s + 3], name: segs[s + 4] >= 0 ? this.raw.names[segs[s + 4]] : null };
  }

  /** A character offset into the bundle text (long-animation-frame's sourceCharPosition). */
  lookupOffset(bundleText: string, offset: number): Original | null {
    let line = 0;
    let lineStart = 0;
    for (let i = bundleText.indexOf('\n'); i !== -1 && i < offset; i = bundleText.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return this.lookup(line, offset - lineStart);
  }
}
