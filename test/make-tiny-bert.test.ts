// The committed tiny model is exactly what scripts/make-tiny-bert.ts writes, on every run, and it
// is a working BERT for onnxruntime-node.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTinyBertOnnx, TINY_BERT_SIZES, tinyBertWeights } from '../scripts/make-tiny-bert';

const ROOT = join(__dirname, '..');
const COMMITTED = join(ROOT, 'public', 'models', 'seqlens-tiny-bert');

function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('make-tiny-bert', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes byte-identical files on every run, identical to the committed model', () => {
    const runs = [0, 1].map(() => {
      const d = mkdtempSync(join(tmpdir(), 'tiny-bert-'));
      dirs.push(d);
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'make-tiny-bert.ts'), d], { cwd: ROOT, stdio: 'pipe' });
      return hashes(d);
    });
    expect(Object.keys(runs[0]).sort()).toEqual([
      'README.md',
      'config.json',
      'onnx/model_quantized.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
    expect(runs[1]).toEqual(runs[0]);
    expect(hashes(COMMITTED)).toEqual(runs[0]);
  }, 60_000);

  it('is small, int8 and in the q8 layout', () => {
    const onnx = buildTinyBertOnnx();
    expect(onnx.length).toBeLessThan(1_200_000);
    const text = Buffer.from(onnx).toString('latin1');
    expect(text).toContain('DequantizeLinear');
    // Weights only are int8; activations stay float (no QuantizeLinear in the graph).
    expect(text).not.toContain('QuantizeLinear');
    const config = JSON.parse(readFileSync(join(COMMITTED, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'bert',
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 64,
      vocab_size: 30522,
    });
  });

  it('runs in onnxruntime-node: [batch, seq] int64 inputs in, [batch, seq, 32] out, padding masked', async () => {
    const session = await ort.InferenceSession.create(join(COMMITTED, 'onnx', 'model_quantized.onnx'));
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    const run = async (ids: number[], mask: number[]) => {
      const shape = [1, ids.length];
      const r = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
        attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), shape),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), shape),
      });
      return r.last_hidden_state;
    };
    const plain = await run([101, 2417, 3797, 102], [1, 1, 1, 1]);
    expect(plain.dims).toEqual([1, 4, TINY_BERT_SIZES.hidden]);
    const padded = await run([101, 2417, 3797, 102, 0, 0], [1, 1, 1, 1, 0, 0]);
    // Padding must not change the real tokens' states (the attention mask works).
    expect(Array.from((padded.data as Float32Array).subarray(0, 4 * 32))).toEqual(Array.from(plain.data as Float32Array));
    // ...while attending to real extra tokens does.
    const longer = await run([101, 2417, 3797, 102, 2417, 102], [1, 1, 1, 1, 1, 1]);
    expect(Array.from((longer.data as Float32Array).subarray(0, 4 * 32))).not.toEqual(Array.from(plain.data as Float32Array));
    await session.release();
  });

  it('runs in onnxruntime-web (wasm, the browser backend) with the same results as onnxruntime-node', async () => {
    const web = await import('onnxruntime-web');
    web.env.wasm.numThreads = 1;
    const bytes = readFileSync(join(COMMITTED, 'onnx', 'model_quantized.onnx'));
    const ids = BigInt64Array.from([101, 2417, 3797, 102], BigInt);
    const ones = new BigInt64Array(4).fill(1n);
    const zeros = new BigInt64Array(4);
    // Two runtimes, two Tensor classes: each session gets its own.
    const ws = await web.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const ns = await ort.InferenceSession.create(bytes);
    const a = (
      await ws.run({
        input_ids: new web.Tensor('int64', ids, [1, 4]),
        attention_mask: new web.Tensor('int64', ones, [1, 4]),
        token_type_ids: new web.Tensor('int64', zeros, [1, 4]),
      })
    ).last_hidden_state.data as Float32Array;
    const b = (
      await ns.run({
        input_ids: new ort.Tensor('int64', ids, [1, 4]),
        attention_mask: new ort.Tensor('int64', ones, [1, 4]),
        token_type_ids: new ort.Tensor('int64', zeros, [1, 4]),
      })
    ).last_hidden_state.data as Float32Array;
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4);
    await ws.release();
    await ns.release();
  });

  it('computes what a BERT computes: matches an independent float64 forward pass', async () => {
    const ids = [101, 2417, 3797, 1010, 6312, 102, 0];
    const mask = [1, 1, 1, 1, 1, 1, 0];
    const types = [0, 0, 0, 1, 1, 1, 0];
    const session = await ort.InferenceSession.create(join(COMMITTED, 'onnx', 'model_quantized.onnx'));
    const shape = [1, ids.length];
    const r = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), shape),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), shape),
      token_type_ids: new ort.Tensor('int64', BigInt64Array.from(types, BigInt), shape),
    });
    await session.release();
    const got = r.last_hidden_state.data as Float32Array;
    const want = referenceForward(ids, mask, types);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-3);
  });
});

/** Post-LN BERT encoder, written from the paper's equations rather than from the graph. */
function referenceForward(ids: number[], mask: number[], types: number[]): Float64Array {
  const W = tinyBertWeights();
  const { hidden: H, heads, layers, intermediate: I } = TINY_BERT_SIZES;
  const hd = H / heads;
  const S = ids.length;
  const get = (name: string): Float32Array => {
    const t = W.get(name);
    if (!t) throw new Error(`no weight ${name}`);
    return t.data;
  };
  const layerNorm = (x: Float64Array, prefix: string): Float64Array => {
    const g = get(`${prefix}.gamma`);
    const b = get(`${prefix}.beta`);
    const out = new Float64Array(x.length);
    for (let t = 0; t < S; t++) {
      let mean = 0;
      for (let j = 0; j < H; j++) mean += x[t * H + j] / H;
      let v = 0;
      for (let j = 0; j < H; j++) v += (x[t * H + j] - mean) ** 2 / H;
      for (let j = 0; j < H; j++) out[t * H + j] = ((x[t * H + j] - mean) / Math.sqrt(v + 1e-12)) * g[j] + b[j];
    }
    return out;
  };
  const dense = (x: Float64Array, nIn: number, nOut: number, prefix: string): Float64Array => {
    const w = get(`${prefix}.weight`);
    const b = get(`${prefix}.bias`);
    const out = new Float64Array(S * nOut);
    for (let t = 0; t < S; t++) {
      for (let o = 0; o < nOut; o++) {
        let acc = b[o];
        for (let i = 0; i < nIn; i++) acc += x[t * nIn + i] * w[i * nOut + o];
        out[t * nOut + o] = acc;
      }
    }
    return out;
  };
  const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((v, i) => v + b[i]);
  // erf by Abramowitz & Stegun 7.1.26 (error below 1.5e-7), enough for a 1e-3 comparison.
  const erf = (x: number): number => {
    const t = 1 / (1 + 0.3275911 * Math.abs(x));
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
    return x >= 0 ? y : -y;
  };

  const word = get('embeddings.word');
  const pos = get('embeddings.position');
  const typ = get('embeddings.token_type');
  let h: Float64Array = new Float64Array(S * H);
  for (let t = 0; t < S; t++) for (let j = 0; j < H; j++) h[t * H + j] = word[ids[t] * H + j] + pos[t * H + j] + typ[types[t] * H + j];
  h = layerNorm(h, 'embeddings.norm');

  for (let l = 0; l < layers; l++) {
    const p = `encoder.layer.${l}`;
    const q = dense(h, H, H, `${p}.attention.query`);
    const k = dense(h, H, H, `${p}.attention.key`);
    const v = dense(h, H, H, `${p}.attention.value`);
    const ctx = new Float64Array(S * H);
    for (let a = 0; a < heads; a++) {
      for (let t = 0; t < S; t++) {
        const scores = new Float64Array(S);
        for (let u = 0; u < S; u++) {
          let dot = 0;
          for (let j = 0; j < hd; j++) dot += q[t * H + a * hd + j] * k[u * H + a * hd + j];
          scores[u] = dot / Math.sqrt(hd) + (1 - mask[u]) * -10000;
        }
        const max = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - max));
        const z = e.reduce((x, y) => x + y, 0);
        for (let u = 0; u < S; u++) for (let j = 0; j < hd; j++) ctx[t * H + a * hd + j] += (e[u] / z) * v[u * H + a * hd + j];
      }
    }
    const h1 = layerNorm(add(dense(ctx, H, H, `${p}.attention.output`), h), `${p}.attention.norm`);
    const x = dense(h1, H, I, `${p}.intermediate`).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
    h = layerNorm(add(dense(x, I, H, `${p}.output`), h1), `${p}.output.norm`);
  }
  return h;
}
