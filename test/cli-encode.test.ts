// `npm run analyze` with the encoder: --model, --encoder, --no-encode and the `encoder` JSON key,
// on the bundled demo log with the committed tiny test model (public/models/seqlens-tiny-bert).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliEncoderReport } from '../src/cli/format';
import type { AnalysisReport } from '../src/pipeline/types';

const DEMO = 'public/demo/uci-online-retail-demo.csv';
const REAL_MODEL_INSTALLED = existsSync(join('public', 'models', 'Xenova', 'all-MiniLM-L6-v2', 'onnx', 'model_quantized.onnx'));

type Report = AnalysisReport & { encoder?: CliEncoderReport };

function cli(args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, json: () => JSON.parse(res.stdout) as Report };
}

describe('npm run analyze: encoder', () => {
  it('--model seqlens-tiny-bert --json adds encoder {model, dtype, device, dims: 32, itemsEmbedded > 0, cacheHits}', () => {
    const res = cli([DEMO, '--encoder', 'text', '--model', 'seqlens-tiny-bert', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.encoder).toMatchObject({ model: 'seqlens-tiny-bert', dtype: 'q8', device: 'cpu', dims: 32, kind: 'model', mode: 'items', cacheHits: 0 });
    expect(r.encoder!.itemsEmbedded).toBeGreaterThan(0);
    expect(r.encoder!.itemsEmbedded).toBe(r.encoder!.texts);
    // Distinct titles, not item events: far fewer texts than events.
    expect(r.encoder!.texts).toBeLessThan(r.events.total);
    expect(r.encoder!.sequences).toBe(r.sequences.count);
    // The rest of the report is unchanged.
    expect(r.users).toBe(250);
    expect(res.stderr).not.toMatch(/note: no sentence-encoder/);
  });

  it('--encoder featurizer uses the built-in featurizer, without a note', () => {
    const res = cli([DEMO, '--encoder', 'featurizer', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.encoder).toMatchObject({ kind: 'featurizer', dtype: 'fp32', device: 'cpu', dims: 256, cacheHits: 0 });
    expect(r.encoder!.model).toMatch(/^featurizer\//);
    expect(r.encoder!.itemsEmbedded).toBeGreaterThan(0);
    expect(res.stderr).not.toMatch(/note:/);
  });

  it('sequence-text mode and pooling flags are passed through', () => {
    const res = cli([DEMO, '--encoder', 'text', '--model', 'seqlens-tiny-bert', '--mode', 'sequence-text', '--json']);
    expect(res.status, res.stderr).toBe(0);
    const r = res.json();
    expect(r.encoder).toMatchObject({ mode: 'sequence-text', dims: 32 });
    expect(r.encoder!.truncated.sequences).toBeGreaterThan(0);
    // The demo holds only purchases and returns: with both weighed 0, no sequence has a vector left.
    const weighted = cli([DEMO, '--encoder', 'featurizer', '--weight', 'purchase=0', '--weight', 'return=0', '--half-life', '0', '--json']);
    expect(weighted.status, weighted.stderr).toBe(0);
    const w = weighted.json();
    expect(w.encoder!.zeroVectors).toBe(w.sequences.count);
  });

  it('--no-encode leaves the encoder out', () => {
    const res = cli([DEMO, '--no-encode', '--json']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.json().encoder).toBeUndefined();
    expect(res.stderr).not.toMatch(/encoding/);
  });

  // Without --encoder the behaviour BERT runs, its item features from the featurizer when no real
  // model is installed (with a note): src/cli/analyzeSeqBert.test.ts, on a small log.

  it.runIf(REAL_MODEL_INSTALLED)(
    '--encoder text with the real model installed: all-MiniLM-L6-v2',
    () => {
      const res = cli([DEMO, '--encoder', 'text', '--json']);
      expect(res.status, res.stderr).toBe(0);
      expect(res.json().encoder).toMatchObject({ model: 'Xenova/all-MiniLM-L6-v2', dims: 384, dtype: 'q8' });
    },
    300_000,
  );

  it('text output has an encoder line', () => {
    const res = cli([DEMO, '--encoder', 'text', '--model', 'seqlens-tiny-bert']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /^encoder: seqlens-tiny-bert \(q8, cpu\), weighted mean of items: 32 dims, [\d,]+ of [\d,]+ distinct texts embedded, 0 cache hits, 243 sequences/m,
    );
  });

  it('a model that is not installed fails with exit 1 and says how to install it; bad flags exit 2', () => {
    const missing = cli([DEMO, '--encoder', 'text', '--model', 'no-such-model', '--json']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/Model "no-such-model" is not installed: .*public\/models\/no-such-model/);
    expect(missing.stderr).toMatch(/npm run models:fetch/);

    for (const bad of [['--encoder', 'gpt'], ['--model'], ['--mode', 'x'], ['--weight', 'view'], ['--encoder', 'featurizer', '--model', 'seqlens-tiny-bert']]) {
      const res = cli([DEMO, ...bad]);
      expect(res.status, bad.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/usage/);
    }
    if (!REAL_MODEL_INSTALLED) {
      const bert = cli([DEMO, '--encoder', 'bert', '--json']);
      expect(bert.status).toBe(1);
      expect(bert.stderr).toMatch(/no BERT model is installed.*npm run models:fetch/);
    }
  });
});
