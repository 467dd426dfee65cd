import { describe, expect, it } from 'vitest';
import { explainLoadError, httpProbe, onnxFileFor } from './modelFiles';

const where = { model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8' as const, folder: '/models/Xenova/all-MiniLM-L6-v2' };

describe('model files', () => {
  it('maps dtypes to the file names transformers.js loads', () => {
    expect(onnxFileFor('q8')).toBe('onnx/model_quantized.onnx');
    expect(onnxFileFor('fp32')).toBe('onnx/model.onnx');
    expect(onnxFileFor('fp16')).toBe('onnx/model_fp16.onnx');
  });

  it('httpProbe treats a dev server answering index.html as a missing file', async () => {
    const answers: Record<string, Response> = {
      'http://app/models/m/config.json': new Response(null, { status: 200, headers: { 'content-type': 'application/json' } }),
      'http://app/models/m/onnx/model.onnx': new Response(null, { status: 200, headers: { 'content-type': 'text/html' } }),
      'http://app/models/m/tokenizer.json': new Response(null, { status: 404 }),
    };
    const fakeFetch = (async (url: string | URL | Request) => {
      const r = answers[String(url)];
      if (!r) throw new TypeError('network down');
      return r;
    }) as typeof fetch;
    const probe = httpProbe('http://app/models/m', fakeFetch);
    expect(await probe('config.json')).toBe(true);
    expect(await probe('onnx/model.onnx')).toBe(false);
    expect(await probe('tokenizer.json')).toBe(false);
    expect(await probe('vocab.txt')).toBeUndefined();
  });

  it('explains browser-side failures: a damaged model, an HTML page instead of JSON', async () => {
    const ort = await explainLoadError(
      new Error("Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed."),
      where,
      undefined,
    );
    expect(ort.code).toBe('model-corrupt');
    expect(ort.file).toBe('/models/Xenova/all-MiniLM-L6-v2/onnx/model_quantized.onnx');
    expect(ort.message).toContain('npm run models:fetch -- Xenova/all-MiniLM-L6-v2');

    const html = await explainLoadError(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), where, undefined);
    expect(html.code).toBe('model-corrupt');
    expect(html.message).toMatch(/not valid JSON.*web page because the file is missing/);

    const other = await explainLoadError(new Error('out of memory'), where, undefined);
    expect(other.code).toBe('model-load-failed');
    expect(other.message).toContain('out of memory');
  });
});
