// The .seqlens file: one versioned binary.
//
//   bytes 0-3    magic 'SQLN'
//   bytes 4-7    format version (uint32, little-endian)
//   bytes 8-11   header length L (uint32)
//   bytes 12-43  SHA-256 of the header bytes
//   bytes 44-    the header: UTF-8 JSON (meta, settings, the small parts, and the section table)
//   then, from the next multiple of 4, the sections: each { name, dtype, length, offset, bytes,
//   sha256 } in the table, at a 4-byte aligned offset (relative to the sections' start), zero padding
//   between them, and nothing after the last one.
//
// Reading checks the magic, the version, the header's and every section's SHA-256, the padding,
// the file's length and that the parts' shapes agree; whatever is wrong is a ModelFileError with a
// message saying what to do, never another exception. SHA-256 is crypto.subtle's (Node and the
// worker both have it).

import { deserializeModel } from '../seqbert/serialize';
import type { Whitening } from '../seqbert/whiten';
import type { SegmentSpace } from '../seqbert/segmentSpace';
import type { ClusterProfiles } from '../profile';
import { ModelFileError } from './errors';
import { MODEL_FORMAT, type ModelCatalogue, type ModelClustering, type ModelMeta, type ModelSettings, type SavedModel } from './types';

const MAGIC = [0x53, 0x51, 0x4c, 0x4e]; // 'SQLN'
const PREFIX = 44;
const align4 = (n: number): number => (n + 3) & ~3;

type Dtype = 'f32' | 'f64' | 'i32' | 'u8' | 'json';
const WIDTH: Record<Dtype, number> = { f32: 4, f64: 8, i32: 4, u8: 1, json: 1 };

interface SectionRef {
  name: string;
  dtype: Dtype;
  /** Elements (bytes for u8 and json). */
  length: number;
  offset: number;
  bytes: number;
  sha256: string;
}

interface Header {
  meta: ModelMeta;
  settings: ModelSettings;
  /** rowsAreText: the item rows are the text vectors (no section of their own). */
  catalogue: { items: number; itemDims: number; dims: number; gcnDims: number | null; rowsAreText: boolean };
  clustering: {
    k: number;
    d: number;
    labels: string[];
    traits: (string[] | null)[];
    p95Distance: number;
    sizes: number[];
    /** Absent in files written before it existed. */
    placement?: number | null;
  };
  seqbert: {
    whitening: { dims: number; kept: number; varianceKept: number } | null;
    /** Absent in files written before it existed (their centres are in the BERT's space). */
    segmentSpace?: { behaviourDims: number; tasteDims: number; tasteAxes: number; tasteWeight: number } | null;
  } | null;
  approx: { dims: number } | null;
  sections: SectionRef[];
}

type SectionData = Float32Array | Float64Array | Int32Array | Uint8Array;

const DAMAGED = 'Save the model again from the analysis it came from, or copy the file again: it was cut short or changed.';

function damaged(why: string): ModelFileError {
  return new ModelFileError(`This SeqLens model file is damaged (${why}). ${DAMAGED}`, 'damaged');
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // subtle.digest wants a plain ArrayBuffer view (not a SharedArrayBuffer's).
  const view = bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

const asBytes = (a: SectionData): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const jsonBytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** The model as the bytes of a .seqlens file (meta.size set to their length). */
export async function writeModelFile(model: SavedModel): Promise<Uint8Array> {
  const c = model.catalogue;
  const parts: { name: string; dtype: Dtype; data: SectionData }[] = [
    { name: 'catalogue.items', dtype: 'json', data: jsonBytes({ itemIds: c.itemIds, titles: c.titles, categories: c.categories }) },
    { name: 'catalogue.itemText', dtype: 'f32', data: c.itemText },
    { name: 'catalogue.counts', dtype: 'i32', data: c.counts },
  ];
  // The text encoders' item rows are their text vectors: kept once.
  const rowsAreText = c.dims === c.itemDims && sameFloats(c.itemRows, c.itemText);
  if (!rowsAreText) parts.push({ name: 'catalogue.itemRows', dtype: 'f32', data: c.itemRows });
  if (c.gcnItems) parts.push({ name: 'catalogue.gcnItems', dtype: 'f32', data: c.gcnItems.data });
  if (model.seqbert) {
    parts.push({ name: 'seqbert.model', dtype: 'u8', data: model.seqbert.bytes });
    const w = model.seqbert.whitening;
    if (w) {
      parts.push({ name: 'seqbert.whitening.mean', dtype: 'f64', data: w.mean });
      parts.push({ name: 'seqbert.whitening.projection', dtype: 'f64', data: w.projection });
    }
    const space = model.seqbert.segmentSpace;
    if (space) {
      parts.push({ name: 'seqbert.segmentSpace.mean', dtype: 'f64', data: space.mean });
      parts.push({ name: 'seqbert.segmentSpace.scale', dtype: 'f64', data: space.scale });
      parts.push({ name: 'seqbert.segmentSpace.axes', dtype: 'f64', data: space.axes });
      parts.push({ name: 'seqbert.segmentSpace.columns', dtype: 'i32', data: space.behaviourColumns });
    }
  }
  const k = model.clustering;
  parts.push(
    { name: 'clustering.centres', dtype: 'f32', data: k.centres },
    { name: 'clustering.profiles', dtype: 'json', data: jsonBytes(k.profiles) },
    { name: 'clustering.users', dtype: 'json', data: jsonBytes(k.userIds) },
    { name: 'clustering.clusters', dtype: 'i32', data: k.clusters },
    ...(k.vectorHashes ? [{ name: 'clustering.vectorHashes', dtype: 'i32' as const, data: k.vectorHashes }] : []),
  );
  if (model.approx) parts.push({ name: 'approx.centroids', dtype: 'f32', data: model.approx.centroids });

  let offset = 0;
  const sections: SectionRef[] = [];
  for (const p of parts) {
    const bytes = asBytes(p.data);
    sections.push({ name: p.name, dtype: p.dtype, length: bytes.byteLength / WIDTH[p.dtype], offset, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
    offset = align4(offset + bytes.byteLength);
  }
  const body = offset;
  const w = model.seqbert?.whitening ?? null;
  const space = model.seqbert?.segmentSpace ?? null;
  const header = (size: number): Header => ({
    meta: { ...model.meta, format: MODEL_FORMAT, size },
    settings: model.settings,
    catalogue: { items: c.itemIds.length, itemDims: c.itemDims, dims: c.dims, gcnDims: c.gcnItems?.dims ?? null, rowsAreText },
    clustering: { k: k.k, d: k.d, labels: k.labels, traits: k.traits, p95Distance: k.p95Distance, sizes: k.sizes, placement: k.placement },
    seqbert: model.seqbert
      ? {
          whitening: w ? { dims: w.dims, kept: w.kept, varianceKept: w.varianceKept } : null,
          segmentSpace: space
            ? { behaviourDims: space.behaviourDims, tasteDims: space.tasteDims, tasteAxes: space.tasteAxes, tasteWeight: space.tasteWeight }
            : null,
        }
      : null,
    approx: model.approx ? { dims: model.approx.dims } : null,
    sections,
  });
  // The size is in the header, whose length depends on it: settle it (at most a few rounds).
  let size = 0;
  let json = jsonBytes(header(size));
  for (let round = 0; round < 5; round++) {
    const next = align4(PREFIX + json.length) + body;
    if (next === size) break;
    size = next;
    json = jsonBytes(header(size));
  }
  const start = align4(PREFIX + json.length);
  const out = new Uint8Array(start + body);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, MODEL_FORMAT, true);
  view.setUint32(8, json.length, true);
  const hh = await sha256Hex(json);
  for (let i = 0; i < 32; i++) out[12 + i] = Number.parseInt(hh.slice(2 * i, 2 * i + 2), 16);
  out.set(json, PREFIX);
  parts.forEach((p, i) => out.set(asBytes(p.data), start + sections[i].offset));
  model.meta.size = out.length;
  return out;
}

/** Reads and checks a .seqlens file. Anything wrong is a ModelFileError. */
export async function readModelFile(bytes: Uint8Array): Promise<SavedModel> {
  try {
    return await read(bytes);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    // A well-formed file (checksums right) whose contents do not fit together: written by something else.
    throw damaged(`its contents do not fit together: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Just the magic: whether these bytes start like a SeqLens model file. */
export function looksLikeModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

function check(ok: boolean, why: string): void {
  if (!ok) throw damaged(why);
}

const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

async function read(bytes: Uint8Array): Promise<SavedModel> {
  if (!looksLikeModelFile(bytes))
    throw new ModelFileError(
      'This is not a SeqLens model file (it does not start with the .seqlens signature). Choose a file saved with "Save model" (--save-model).',
      'not-a-model',
    );
  check(bytes.length >= PREFIX, 'it ends inside its first bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version > MODEL_FORMAT)
    throw new ModelFileError(
      `This model file was made by a newer SeqLens (file format ${version}; this version reads ${MODEL_FORMAT}). Open it with a newer SeqLens, or save the model again with this one.`,
      'version',
    );
  check(version >= 1, `format version ${version}`);
  const len = view.getUint32(8, true);
  check(PREFIX + len <= bytes.length, 'it ends inside its header');
  const json = bytes.subarray(PREFIX, PREFIX + len);
  let want = '';
  for (let i = 12; i < PREFIX; i++) want += bytes[i].toString(16).padStart(2, '0');
  check((await sha256Hex(json)) === want, 'the header does not match its checksum');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json)) as Header;
  } catch {
    throw damaged('the header is not readable');
  }
  check(typeof header === 'object' && header !== null && Array.isArray(header.sections), 'the header has no section table');
  const start = align4(PREFIX + len);
  // The padding after the header is zero.
  for (let i = PREFIX + len; i < Math.min(start, bytes.length); i++) check(bytes[i] === 0, 'bytes after the header are not zero');
  const data = new Map<string, { ref: SectionRef; bytes: Uint8Array }>();
  let end = 0;
  for (const ref of header.sections) {
    check(typeof ref?.name === 'string' && ref.dtype in WIDTH, 'a section is not described');
    check(isInt(ref.offset) && isInt(ref.bytes) && isInt(ref.length) && ref.offset % 4 === 0 && ref.offset === end, `section ${ref.name} is out of place`);
    check(ref.length * WIDTH[ref.dtype] === ref.bytes, `section ${ref.name} has the wrong size`);
    check(start + ref.offset + ref.bytes <= bytes.length, `it ends inside section ${ref.name}`);
    check(!data.has(ref.name), `section ${ref.name} is there twice`);
    const b = bytes.subarray(start + ref.offset, start + ref.offset + ref.bytes);
    check((await sha256Hex(b)) === ref.sha256, `section ${ref.name} does not match its checksum`);
    const padEnd = start + align4(ref.offset + ref.bytes);
    for (let i = start + ref.offset + ref.bytes; i < Math.min(padEnd, bytes.length); i++) check(bytes[i] === 0, `the padding after ${ref.name} is not zero`);
    data.set(ref.name, { ref, bytes: b });
    end = align4(ref.offset + ref.bytes);
  }
  check(start + end === bytes.length, start + end < bytes.length ? 'there are bytes after the last section' : 'it is cut short');

  // Copies: the model does not pin the caller's buffer, and typed arrays are aligned.
  const section = (name: string, required = true): Uint8Array | null => {
    const s = data.get(name);
    if (!s) {
      check(!required, `section ${name} is missing`);
      return null;
    }
    return s.bytes.slice();
  };
  const typed = <T>(name: string, dtype: Dtype, make: (b: ArrayBuffer) => T, required = true): T | null => {
    const b = section(name, required);
    if (!b) return null;
    check(data.get(name)!.ref.dtype === dtype, `section ${name} has the wrong type`);
    return make(b.buffer as ArrayBuffer);
  };
  const f32 = (name: string, required = true) => typed(name, 'f32', (b) => new Float32Array(b), required);
  const f64 = (name: string, required = true) => typed(name, 'f64', (b) => new Float64Array(b), required);
  const i32 = (name: string, required = true) => typed(name, 'i32', (b) => new Int32Array(b), required);
  const parsed = <T>(name: string): T => {
    const b = section(name)!;
    check(data.get(name)!.ref.dtype === 'json', `section ${name} has the wrong type`);
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b)) as T;
    } catch {
      throw damaged(`section ${name} is not readable`);
    }
  };

  const hc = header.catalogue;
  const hk = header.clustering;
  check(isInt(hc?.items) && isInt(hc.itemDims) && isInt(hc.dims), 'the catalogue is not described');
  check(isInt(hk?.k, 1) && isInt(hk.d, 1), 'the segments are not described');
  check(typeof header.settings === 'object' && header.settings !== null && typeof header.meta === 'object' && header.meta !== null, 'settings missing');
  const names = parsed<{ itemIds: string[]; titles: string[]; categories: string[] }>('catalogue.items');
  const strings = (a: unknown, n: number): boolean => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'string');
  check(
    strings(names?.itemIds, hc.items) && strings(names.titles, hc.items) && strings(names.categories, hc.items),
    'the item list does not match the catalogue',
  );
  const itemText = f32('catalogue.itemText')!;
  const itemRows = hc.rowsAreText === true ? itemText.slice() : f32('catalogue.itemRows')!;
  const counts = i32('catalogue.counts')!;
  check(itemText.length === hc.items * hc.itemDims, 'the item text vectors do not match the catalogue');
  check(itemRows.length === hc.items * hc.dims, 'the item vectors do not match the catalogue');
  check(counts.length === hc.items, 'the item counts do not match the catalogue');
  const gcn = f32('catalogue.gcnItems', false);
  check((gcn === null) === (hc.gcnDims === null), 'the graph network item vectors are not described');
  if (gcn) check(isInt(hc.gcnDims, 1) && gcn.length === hc.items * (hc.gcnDims as number), 'the graph network item vectors do not match the catalogue');
  const catalogue: ModelCatalogue = {
    itemIds: names.itemIds,
    titles: names.titles,
    categories: names.categories,
    itemDims: hc.itemDims,
    itemText,
    dims: hc.dims,
    itemRows,
    gcnItems: gcn ? { dims: hc.gcnDims as number, data: gcn } : null,
    counts,
  };

  const centres = f32('clustering.centres')!;
  check(centres.length === hk.k * hk.d, 'the centres do not match K and the dimensions');
  for (const v of centres) check(Number.isFinite(v), 'a centre is not a number');
  check(strings(hk.labels, hk.k), 'the segment names do not match K');
  check(
    Array.isArray(hk.traits) && hk.traits.length === hk.k && hk.traits.every((t) => t === null || strings(t, (t as unknown[]).length)),
    'the traits do not match K',
  );
  check(Array.isArray(hk.sizes) && hk.sizes.length === hk.k && hk.sizes.every((s) => isInt(s)), 'the segment sizes do not match K');
  check(typeof hk.p95Distance === 'number' && Number.isFinite(hk.p95Distance) && hk.p95Distance >= 0, 'the distance scale is not a number');
  const userIds = parsed<string[]>('clustering.users');
  const clusters = i32('clustering.clusters')!;
  check(strings(userIds, clusters.length), 'the customers do not match their segments');
  for (const c of clusters) check(c >= -1 && c < hk.k, 'a customer is in a segment that does not exist');
  const vectorHashes = i32('clustering.vectorHashes', false);
  check(vectorHashes === null || vectorHashes.length <= clusters.length, 'the customers do not match their vector hashes');
  const placement = hk.placement ?? null;
  check(placement === null || (typeof placement === 'number' && placement >= 0 && placement <= 1), 'the placement share is not a share');
  const profiles = parsed<ClusterProfiles>('clustering.profiles');
  check(typeof profiles === 'object' && profiles !== null && Array.isArray(profiles.clusters), 'the profiles are not readable');
  const clustering: ModelClustering = {
    k: hk.k,
    d: hk.d,
    centres,
    labels: hk.labels,
    profiles,
    traits: hk.traits,
    userIds,
    clusters,
    p95Distance: hk.p95Distance,
    sizes: hk.sizes,
    vectorHashes,
    placement,
  };

  let seqbert: SavedModel['seqbert'] = null;
  if (header.seqbert) {
    const bert = section('seqbert.model')!;
    let hidden: number;
    let itemDims: number;
    try {
      const m = deserializeModel(bert);
      hidden = m.architecture.hidden;
      itemDims = m.vocab.itemDims;
    } catch (e) {
      throw new ModelFileError(
        `This model file holds a behaviour BERT this version cannot read (${e instanceof Error ? e.message : String(e)}). Save the model again with this version of SeqLens.`,
        'incompatible',
      );
    }
    let segmentSpace: SegmentSpace | null = null;
    const hs = header.seqbert.segmentSpace ?? null;
    if (hs) {
      check(
        isInt(hs.behaviourDims, 1) &&
          isInt(hs.tasteDims, 1) &&
          isInt(hs.tasteAxes, 1) &&
          hs.tasteAxes <= hs.tasteDims &&
          Number.isFinite(hs.tasteWeight) &&
          hs.tasteDims === hc.itemDims,
        'the segment space does not match the centres',
      );
      const mean = f64('seqbert.segmentSpace.mean')!;
      const scale = f64('seqbert.segmentSpace.scale')!;
      const axes = f64('seqbert.segmentSpace.axes')!;
      const columns = typed('seqbert.segmentSpace.columns', 'i32', (b) => new Int32Array(b), true)!;
      const width = hs.behaviourDims + hs.tasteDims;
      check(
        mean.length === width && scale.length === width && axes.length === hs.tasteDims * hs.tasteAxes && columns.length + hs.tasteAxes === hk.d,
        'the segment space has the wrong size',
      );
      check(
        columns.every((c, i) => Number.isInteger(c) && c >= 0 && c < hs.behaviourDims && (i === 0 || c > columns[i - 1])),
        'the segment space names behaviour columns the model does not have',
      );
      segmentSpace = {
        behaviourDims: hs.behaviourDims,
        tasteDims: hs.tasteDims,
        behaviourColumns: columns,
        tasteAxes: hs.tasteAxes,
        tasteWeight: hs.tasteWeight,
        mean,
        scale,
        axes,
      };
    }
    const behaviourDims = segmentSpace ? segmentSpace.behaviourDims : hk.d;
    check(hidden === behaviourDims || header.settings.clusteredOn === 'gcn', "the behaviour BERT's size does not match the centres");
    check(itemDims === hc.itemDims, "the behaviour BERT's item features do not match the catalogue");
    let whitening: Whitening | null = null;
    const hw = header.seqbert.whitening;
    if (hw) {
      check(isInt(hw.dims, 1) && isInt(hw.kept, 1) && hw.dims === hidden, 'the whitening does not match the behaviour BERT');
      const mean = f64('seqbert.whitening.mean')!;
      const projection = f64('seqbert.whitening.projection')!;
      check(mean.length === hw.dims && projection.length === hw.dims * hw.kept, 'the whitening has the wrong size');
      whitening = { dims: hw.dims, kept: hw.kept, mean, projection, varianceKept: hw.varianceKept };
    }
    seqbert = { bytes: bert, whitening, segmentSpace };
  }
  const approxCentroids = f32('approx.centroids', false);
  check((approxCentroids === null) === (header.approx === null), 'the SQL centroids are not described');
  let approx: SavedModel['approx'] = null;
  if (approxCentroids && header.approx) {
    check(isInt(header.approx.dims, 1) && approxCentroids.length === hk.k * header.approx.dims, 'the SQL centroids do not match K');
    approx = { dims: header.approx.dims, centroids: approxCentroids };
  }
  check(header.settings.encoder?.kind !== 'seqbert' || seqbert !== null, 'the behaviour BERT is missing');
  return { meta: header.meta, settings: header.settings, catalogue, seqbert, clustering, approx };
}
