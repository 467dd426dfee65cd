// The .seqlens file: what is written is read back equal; a truncated, changed, foreign or newer
// file is a ModelFileError with the right code and words, never another exception.
import { describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/lib/savedModel';
import { Random } from '../numeric/sfc32';
import { ModelFileError } from './errors';
import { looksLikeModelFile, readModelFile, writeModelFile } from './format';
import { MODEL_FORMAT } from './types';

async function failure(bytes: Uint8Array): Promise<ModelFileError> {
  try {
    await readModelFile(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('read a file it should have refused');
}

describe('the .seqlens file', () => {
  it('reads back what was written, with its size', async () => {
    const m = smallModel();
    const bytes = await writeModelFile(m);
    expect(looksLikeModelFile(bytes)).toBe(true);
    expect(m.meta.size).toBe(bytes.length);
    expect(bytes.length % 4).toBe(0);
    const back = await readModelFile(bytes);
    expect(back.meta).toEqual({ ...m.meta, size: bytes.length });
    expect(back.settings).toEqual(m.settings);
    expect(back.catalogue).toEqual(m.catalogue);
    expect(back.clustering).toEqual(m.clustering);
    expect(back.approx).toEqual(m.approx);
    expect(back.seqbert).toBeNull();
    // Item rows equal to the text vectors (the text encoders') are kept once.
    const text = smallModel(3);
    text.catalogue.itemRows = text.catalogue.itemText.slice();
    const once = await writeModelFile(text);
    expect(once.length).toBeLessThan(bytes.length - text.catalogue.itemText.byteLength / 2);
    expect((await readModelFile(once)).catalogue).toEqual(text.catalogue);
    // Without the vector hashes and the placement share (files written before them): read as null.
    const older = smallModel(4);
    older.clustering.vectorHashes = null;
    older.clustering.placement = null;
    const o = (await readModelFile(await writeModelFile(older))).clustering;
    expect([o.vectorHashes, o.placement]).toEqual([null, null]);
    expect(back.clustering.vectorHashes).toEqual(m.clustering.vectorHashes);
    // Read from a view inside a larger buffer (a worker's transfer), too.
    const padded = new Uint8Array(bytes.length + 7);
    padded.set(bytes, 3);
    expect((await readModelFile(padded.subarray(3, 3 + bytes.length))).clustering.userIds).toEqual(m.clustering.userIds);
  });

  it('refuses a foreign file as not a model', async () => {
    const e = await failure(new TextEncoder().encode('user_id,item_id,ts\n1,2,3\n'));
    expect(e.code).toBe('not-a-model');
    expect(e.message).toMatch(/not a SeqLens model file/);
    expect((await failure(new Uint8Array(0))).code).toBe('not-a-model');
  });

  it('refuses a newer format with what to do', async () => {
    const bytes = await writeModelFile(smallModel());
    new DataView(bytes.buffer).setUint32(4, MODEL_FORMAT + 1, true);
    const e = await failure(bytes);
    expect(e.code).toBe('version');
    expect(e.message).toMatch(/made by a newer SeqLens/);
  });

  it('finds a truncated file, a flipped bit and trailing bytes damaged', async () => {
    const bytes = await writeModelFile(smallModel());
    for (const cut of [10, 44, 100, bytes.length - 1, bytes.length - 200]) {
      const e = await failure(bytes.slice(0, cut));
      expect(e.code).toBe('damaged');
      expect(e.message).toMatch(/damaged/);
    }
    // A bit in the centres' section.
    const flipped = bytes.slice();
    flipped[bytes.length - 300] ^= 0x10;
    expect((await failure(flipped)).message).toMatch(/checksum/);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    expect((await failure(longer)).message).toMatch(/after the last section/);
  });

  it('finds checksummed but inconsistent contents damaged or incompatible', async () => {
    const m = smallModel();
    m.clustering.clusters[0] = 7;
    expect((await failure(await writeModelFile(m))).message).toMatch(/segment that does not exist/);
    const m2 = smallModel();
    m2.clustering.centres = new Float32Array(5);
    expect((await failure(await writeModelFile(m2))).message).toMatch(/centres do not match/);
    const m3 = smallModel();
    m3.seqbert = { bytes: new Uint8Array([1, 2, 3, 4, 5]), whitening: null, segmentSpace: null };
    const e = await failure(await writeModelFile(m3));
    expect(e.code).toBe('incompatible');
    expect(e.message).toMatch(/behaviour BERT/);
  });

  it('never crashes on a few hundred random changes', async () => {
    const bytes = await writeModelFile(smallModel(2, { items: 6, users: 8 }));
    const rng = new Random(5);
    const codes = new Map<string, number>();
    for (let t = 0; t < 300; t++) {
      let b = bytes.slice();
      const what = t % 4;
      if (what === 0) b[rng.int(b.length)] ^= 1 << rng.int(8);
      else if (what === 1) b = b.slice(0, rng.int(b.length));
      else if (what === 2) {
        // A run of random bytes.
        const at = rng.int(b.length);
        for (let i = at; i < Math.min(b.length, at + 1 + rng.int(16)); i++) b[i] = rng.int(256);
      } else {
        // A byte inserted.
        const at = rng.int(b.length);
        b = Uint8Array.from([...b.subarray(0, at), rng.int(256), ...b.subarray(at)]);
      }
      if (b.length === bytes.length && b.every((x, i) => x === bytes[i])) continue;
      const e = await failure(b);
      expect(e.message.length).toBeGreaterThan(20);
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    }
    expect(codes.get('damaged')).toBeGreaterThan(200);
  });
});
