// `npx tsx scripts/make-tiny-bert.ts [OUT_DIR]`: writes public/models/seqlens-tiny-bert/, a BERT with
// random weights that is small enough to commit, so the encoder stage can be tested end to end
// (tokenizer -> ONNX Runtime -> pooling) on machines that cannot download a real model.
//
// The ONNX protobuf is written by hand: the repository has no protobuf dependency of its own, and
// the handful of ONNX messages needed here are a page of code. Every weight comes from a seeded
// integer PRNG and is stored as int8 with a per-tensor scale (DequantizeLinear in the graph, the
// QDQ form of int8 quantization), so reruns are byte-identical and the file is what transformers.js
// loads for dtype 'q8' (onnx/model_quantized.onnx).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const TINY_BERT_ID = 'seqlens-tiny-bert';

export const TINY_BERT_SIZES = {
  vocab: 30522,
  hidden: 32,
  layers: 2,
  heads: 2,
  intermediate: 64,
  maxPositions: 512,
  typeVocab: 2,
} as const;

/** Files copied verbatim from the real all-MiniLM-L6-v2 folder: the tiny model shares its tokenizer. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'] as const;

const SEED = 20240611;

// ---------------------------------------------------------------------------------------------
// Protobuf wire format (only what ONNX needs: varints, fixed32, length-delimited fields).

class ProtoWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Varint of a non-negative or negative integer; negatives take the 10-byte two's complement form. */
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.byte(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.byte(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const msg = (): ProtoWriter => new ProtoWriter();

// ---------------------------------------------------------------------------------------------
// ONNX messages (field numbers from onnx/onnx.proto).

const DT = { FLOAT: 1, INT8: 3, INT64: 7 } as const;
type DataType = (typeof DT)[keyof typeof DT];

interface Tensor {
  name: string;
  type: DataType;
  dims: number[];
  raw: Uint8Array;
}

function tensorProto(t: Tensor): ProtoWriter {
  const m = msg();
  for (const d of t.dims) m.int(1, d);
  m.int(2, t.type).string(8, t.name).bytes(9, t.raw);
  return m;
}

type Attr = { name: string } & ({ i: number } | { f: number } | { ints: number[] } | { t: Tensor });

function attributeProto(a: Attr): ProtoWriter {
  const m = msg().string(1, a.name);
  // AttributeProto.AttributeType: FLOAT 1, INT 2, TENSOR 4, INTS 7.
  if ('i' in a) return m.int(3, a.i).int(20, 2);
  if ('f' in a) return m.float(2, a.f).int(20, 1);
  if ('ints' in a) {
    for (const v of a.ints) m.int(8, v);
    return m.int(20, 7);
  }
  return m.message(5, tensorProto(a.t)).int(20, 4);
}

interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Attr[];
}

function nodeProto(n: Node, name: string): ProtoWriter {
  const m = msg();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, name).string(4, n.op);
  for (const a of n.attrs ?? []) m.message(5, attributeProto(a));
  return m;
}

function valueInfoProto(name: string, elemType: DataType, dims: (number | string)[]): ProtoWriter {
  const shape = msg();
  for (const d of dims) shape.message(1, typeof d === 'number' ? msg().int(1, d) : msg().string(2, d));
  const tensorType = msg().int(1, elemType).message(2, shape);
  return msg().string(1, name).message(2, msg().message(1, tensorType));
}

// ---------------------------------------------------------------------------------------------
// Seeded weights. Integer arithmetic and correctly rounded IEEE operations only, so that the
// bytes do not depend on the platform's Math.log/Math.cos.

/** mulberry32: tiny, 32-bit, and fixed forever here (the committed model's bytes depend on it). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

class Weights {
  private readonly next: () => number;
  readonly initializers: Tensor[] = [];

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Roughly normal int8 (sum of four uniforms), so a few large weights are rare as in a trained net. */
  private int8Values(n: number): Int8Array {
    const q = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += (this.next() & 0xff) - 127.5;
      q[i] = Math.max(-127, Math.min(127, Math.round(s / 4)));
    }
    return q;
  }

  /** An int8 matrix with scale and zero point; returns the names DequantizeLinear takes. */
  quantized(name: string, dims: number[], std: number): [string, string, string] {
    const n = dims.reduce((a, b) => a * b, 1);
    const q = this.int8Values(n);
    // Sum of 4 uniforms on [-127.5,127.5] divided by 4 has a standard deviation of about 36.8.
    const scale = Math.fround(std / 36.8);
    this.add(`${name}_quantized`, DT.INT8, dims, new Uint8Array(q.buffer));
    this.add(`${name}_scale`, DT.FLOAT, [], f32([scale]));
    this.add(`${name}_zero_point`, DT.INT8, [], new Uint8Array(1));
    return [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`];
  }

  /** Small float values (biases): uniform in [-amp, amp]. */
  floats(name: string, n: number, amp: number): string {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = ((this.next() / 4294967296) * 2 - 1) * amp;
    this.add(name, DT.FLOAT, [n], new Uint8Array(v.buffer));
    return name;
  }

  constant(name: string, dims: number[], values: Float32Array | BigInt64Array): string {
    const type = values instanceof Float32Array ? DT.FLOAT : DT.INT64;
    this.add(name, type, dims, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return name;
  }

  private add(name: string, type: DataType, dims: number[], raw: Uint8Array): void {
    this.initializers.push({ name, type, dims, raw: raw.slice() });
  }
}

function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

// ---------------------------------------------------------------------------------------------
// The BERT graph: embeddings + LayerNorm, then per layer masked multi-head self-attention and a
// GELU feed-forward block, each with a residual and LayerNorm (post-LN, as in BERT).

export function buildTinyBertOnnx(): Uint8Array {
  return build().onnx;
}

/**
 * The weights as the graph sees them after DequantizeLinear, by initializer name (quantized ones
 * under their base name: 'encoder.layer.0.attention.query.weight'). For checking the graph
 * against an independent implementation.
 */
export function tinyBertWeights(): Map<string, { dims: number[]; data: Float32Array }> {
  const raw = new Map(build().initializers.map((t) => [t.name, t]));
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  const floats = (t: Tensor): Float32Array => new Float32Array(t.raw.slice().buffer);
  for (const t of raw.values()) {
    if (t.name.endsWith('_quantized')) {
      const name = t.name.slice(0, -'_quantized'.length);
      const scale = floats(raw.get(`${name}_scale`)!)[0];
      const q = new Int8Array(t.raw.buffer, t.raw.byteOffset, t.raw.length);
      out.set(name, { dims: t.dims, data: Float32Array.from(q, (v) => v * scale) });
    } else if (t.type === DT.FLOAT && !t.name.endsWith('_scale')) {
      out.set(t.name, { dims: t.dims, data: floats(t) });
    }
  }
  return out;
}

function build(): { onnx: Uint8Array; initializers: Tensor[] } {
  const { vocab, hidden: H, layers, heads, intermediate, maxPositions, typeVocab } = TINY_BERT_SIZES;
  const headDim = H / heads;
  const w = new Weights(SEED);
  const nodes: Node[] = [];
  let tmp = 0;
  const op = (opType: string, inputs: string[], attrs?: Attr[], out?: string): string => {
    const o = out ?? `t${tmp++}_${opType}`;
    nodes.push({ op: opType, inputs, outputs: [o], attrs });
    return o;
  };
  const dequant = (q: [string, string, string]): string => op('DequantizeLinear', q);
  const layerNorm = (x: string, prefix: string, out?: string): string => {
    const gamma = w.constant(`${prefix}.gamma`, [H], new Float32Array(H).fill(1));
    const beta = w.constant(`${prefix}.beta`, [H], new Float32Array(H));
    return op(
      'LayerNormalization',
      [x, gamma, beta],
      [
        { name: 'axis', i: -1 },
        { name: 'epsilon', f: 1e-12 },
      ],
      out,
    );
  };
  const dense = (x: string, prefix: string, nIn: number, nOut: number, std: number): string => {
    const weight = dequant(w.quantized(`${prefix}.weight`, [nIn, nOut], std));
    return op('Add', [op('MatMul', [x, weight]), w.floats(`${prefix}.bias`, nOut, 0.02)]);
  };

  // Embeddings. Gather on the int8 table, then dequantize only the rows used.
  const wordQ = w.quantized('embeddings.word', [vocab, H], 1);
  const word = op('DequantizeLinear', [op('Gather', [wordQ[0], 'input_ids']), wordQ[1], wordQ[2]]);
  const posQ = w.quantized('embeddings.position', [maxPositions, H], 0.3);
  const seqLen = op(
    'Shape',
    ['input_ids'],
    [
      { name: 'start', i: 1 },
      { name: 'end', i: 2 },
    ],
  );
  const zero = w.constant('const.zero_i64', [1], new BigInt64Array([0n]));
  const posRows = op('Slice', [posQ[0], zero, seqLen, zero]);
  const position = op('DequantizeLinear', [posRows, posQ[1], posQ[2]]);
  const typeQ = w.quantized('embeddings.token_type', [typeVocab, H], 0.3);
  const tokenType = op('DequantizeLinear', [op('Gather', [typeQ[0], 'token_type_ids']), typeQ[1], typeQ[2]]);
  let h = layerNorm(op('Add', [op('Add', [word, position]), tokenType]), 'embeddings.norm');

  // Additive mask [batch, 1, 1, seq]: 0 where attended, -10000 on padding.
  const one = w.constant('const.one', [], new Float32Array([1]));
  const negBig = w.constant('const.mask_value', [], new Float32Array([-10000]));
  const maskF = op('Cast', ['attention_mask'], [{ name: 'to', i: DT.FLOAT }]);
  const axes12 = w.constant('const.axes_1_2', [2], new BigInt64Array([1n, 2n]));
  const mask = op('Unsqueeze', [op('Mul', [op('Sub', [one, maskF]), negBig]), axes12]);

  const splitShape = w.constant('const.split_heads', [4], new BigInt64Array([0n, 0n, BigInt(heads), BigInt(headDim)]));
  const mergeShape = w.constant('const.merge_heads', [3], new BigInt64Array([0n, 0n, BigInt(H)]));
  const attnScale = w.constant('const.attn_scale', [], new Float32Array([1 / Math.sqrt(headDim)]));
  const invSqrt2 = w.constant('const.inv_sqrt2', [], new Float32Array([Math.SQRT1_2]));
  const half = w.constant('const.half', [], new Float32Array([0.5]));

  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    const split = (x: string, perm: number[]): string => op('Transpose', [op('Reshape', [x, splitShape])], [{ name: 'perm', ints: perm }]);
    const q = split(dense(h, `${p}.attention.query`, H, H, 0.2), [0, 2, 1, 3]);
    const k = split(dense(h, `${p}.attention.key`, H, H, 0.2), [0, 2, 3, 1]);
    const v = split(dense(h, `${p}.attention.value`, H, H, 0.2), [0, 2, 1, 3]);
    const scores = op('Add', [op('Mul', [op('MatMul', [q, k]), attnScale]), mask]);
    const probs = op('Softmax', [scores], [{ name: 'axis', i: -1 }]);
    const ctx = op('Reshape', [op('Transpose', [op('MatMul', [probs, v])], [{ name: 'perm', ints: [0, 2, 1, 3] }]), mergeShape]);
    const attnOut = dense(ctx, `${p}.attention.output`, H, H, 0.2);
    const h1 = layerNorm(op('Add', [attnOut, h]), `${p}.attention.norm`);
    // GELU (erf form, as BERT's "gelu"): opset 17 has no Gelu operator.
    const x = dense(h1, `${p}.intermediate`, H, intermediate, 0.2);
    const gelu = op('Mul', [op('Mul', [x, op('Add', [op('Erf', [op('Mul', [x, invSqrt2])]), one])]), half]);
    const ffn = dense(gelu, `${p}.output`, intermediate, H, 0.2);
    h = layerNorm(op('Add', [ffn, h1]), `${p}.output.norm`, l === layers - 1 ? 'last_hidden_state' : undefined);
  }

  const graph = msg();
  nodes.forEach((n, i) => graph.message(1, nodeProto(n, `n${i}_${n.op}`)));
  graph.string(2, 'seqlens_tiny_bert');
  for (const t of w.initializers) graph.message(5, tensorProto(t));
  for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) graph.message(11, valueInfoProto(name, DT.INT64, ['batch_size', 'sequence_length']));
  graph.message(12, valueInfoProto('last_hidden_state', DT.FLOAT, ['batch_size', 'sequence_length', H]));

  const onnx = msg()
    .int(1, 8) // ir_version
    .string(2, 'seqlens scripts/make-tiny-bert.ts')
    .string(3, '1')
    .string(6, 'Random-weight BERT for tests only: its vectors carry no meaning.')
    .message(7, graph)
    .message(8, msg().string(1, '').int(2, 17))
    .finish();
  return { onnx, initializers: w.initializers };
}

export function tinyBertConfig(): Record<string, unknown> {
  const s = TINY_BERT_SIZES;
  return {
    _name_or_path: TINY_BERT_ID,
    architectures: ['BertModel'],
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: s.hidden,
    initializer_range: 0.02,
    intermediate_size: s.intermediate,
    layer_norm_eps: 1e-12,
    max_position_embeddings: s.maxPositions,
    model_type: 'bert',
    num_attention_heads: s.heads,
    num_hidden_layers: s.layers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: s.typeVocab,
    vocab_size: s.vocab,
    seqlens_note: 'Random weights generated by scripts/make-tiny-bert.ts for tests; not a trained model.',
  };
}

const README = `# seqlens-tiny-bert

A BERT-shaped model with **random weights** (2 layers, hidden 32, 2 heads, intermediate 64), written
by \`npx tsx scripts/make-tiny-bert.ts\`. Its vectors mean nothing; it exists so that the encoder stage
(tokenizer, ONNX Runtime, pooling, caching) can be tested offline. The tokenizer files are those of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0). \`onnx/model_quantized.onnx\` is what
transformers.js loads for dtype 'q8': int8 weights with DequantizeLinear, opset 17.
`;

/** Writes the model folder; returns the paths written. */
export function writeTinyBert(outDir: string, tokenizerDir: string): string[] {
  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  const written: string[] = [];
  const put = (rel: string, data: string | Uint8Array): void => {
    writeFileSync(join(outDir, rel), data);
    written.push(join(outDir, rel));
  };
  // Read and write rather than copy: the source folder is read-only and copies keep its mode.
  for (const f of TOKENIZER_FILES) put(f, readFileSync(join(tokenizerDir, f)));
  put('config.json', `${JSON.stringify(tinyBertConfig(), null, 2)}\n`);
  put('README.md', README);
  put('onnx/model_quantized.onnx', buildTinyBertOnnx());
  return written;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // One optional argument: the folder to write (default public/models/seqlens-tiny-bert).
  const { positionals } = parseArgs({ options: {}, allowPositionals: true });
  const outDir = resolve(positionals[0] ?? join(root, 'public', 'models', TINY_BERT_ID));
  const tokenizerDir = resolve(root, '..', 'shared', 'models', 'all-MiniLM-L6-v2');
  try {
    for (const p of writeTinyBert(outDir, tokenizerDir)) console.log(p);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      console.error(`make-tiny-bert: ${err.message}\nThe tokenizer files are copied from ${tokenizerDir} (${TOKENIZER_FILES.join(', ')}).`);
      process.exit(1);
    }
    throw e;
  }
}
