// Cuts a byte stream into blocks of whole lines and decodes them as UTF-8. Working on bytes first
// lets an absurdly long line (a 2 GB line, a binary blob) be skipped with memchr-speed
// Uint8Array.indexOf instead of being buffered and decoded.

import { alignedBytes, type BlockBytes } from './dict';

export interface LineBlockEvents {
  /** A line longer than the limit was skipped; it is the next line of the file. */
  overlong(): void;
}

/** Largest joining buffer LineBlocks keeps between chunks (chunks are 64 KiB to 1 MiB). */
const KEEP_JOINED_BYTES = 4 << 20;

export class LineBlocks {
  private carry: Uint8Array[] = [];
  private carryBytes = 0;
  private joined = new Uint8Array(0);
  private skipping = false;
  // ignoreBOM: each decode() call is a new stream to TextDecoder, which would otherwise drop a BOM
  // at the start of any block, so a mid-file BOM (concatenated exports) survived or not depending
  // on where chunks ended. The file's own leading BOM is dropped in decode() below.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private first: boolean;
  /** The last block returned and, when they line up with it, the bytes it decoded from (valid until the next call). */
  readonly block: BlockBytes = { text: '', bytes: null, view: null };

  /** `fileStart`: these bytes begin the file (so a BOM there is dropped), not a later part of it. */
  constructor(
    private readonly maxLineBytes: number,
    private readonly events: LineBlockEvents,
    fileStart = true,
  ) {
    this.first = fileStart;
  }

  /** Returns the decoded text of the complete lines now available ('' if none). */
  push(chunk: Uint8Array): string {
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return '';
      this.skipping = false;
      chunk = chunk.subarray(nl + 1);
    }
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      if (chunk.length > 0) {
        this.carry.push(chunk);
        this.carryBytes += chunk.length;
      }
      if (this.carryBytes > this.maxLineBytes) {
        this.carry = [];
        this.carryBytes = 0;
        this.skipping = true;
        this.events.overlong();
      }
      return '';
    }
    const head = this.take(chunk.subarray(0, last + 1));
    const tail = chunk.subarray(last + 1);
    this.carry = tail.length > 0 ? [tail] : [];
    this.carryBytes = tail.length;
    return this.decode(head);
  }

  /** The last line, which may lack its newline. */
  end(): string {
    if (this.skipping) return '';
    const rest = this.take(new Uint8Array(0));
    this.carry = [];
    this.carryBytes = 0;
    return rest.length ? this.decode(rest) : '';
  }

  /**
   * The carried bytes followed by `part`, in a buffer kept for the next call: the result is decoded
   * at once and never kept, and a fresh megabyte per chunk made V8 scavenge for the external memory.
   */
  private take(part: Uint8Array): Uint8Array {
    if (this.carry.length === 0) return part;
    const n = this.carryBytes + part.length;
    // (A block joined after a long carried line gets a buffer of its own, not kept.)
    if (n > KEEP_JOINED_BYTES) return this.fill(new Uint8Array(n), part);
    if (this.joined.length < n) this.joined = new Uint8Array(Math.min(KEEP_JOINED_BYTES, Math.max(n, this.joined.length * 2)));
    return this.fill(this.joined.subarray(0, n), part);
  }

  private fill(out: Uint8Array, part: Uint8Array): Uint8Array {
    let off = 0;
    for (const c of this.carry) {
      out.set(c, off);
      off += c.length;
    }
    out.set(part, off);
    return out;
  }

  private decode(bytes: Uint8Array): string {
    // Blocks end on '\n', always a character boundary in UTF-8, so no streaming state is needed.
    let text = this.decoder.decode(bytes);
    if (this.first) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const block = this.block;
    block.text = text;
    if (alignedBytes(text, bytes)) {
      block.bytes = bytes;
      block.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } else {
      block.bytes = null;
      block.view = null;
    }
    return text;
  }
}
