import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineBlocks } from './lines';

describe('LineBlocks', () => {
  it('gives back the text, in blocks of whole lines, however the bytes are chunked (its joining buffer is reused)', () => {
    const line = fc.string({ maxLength: 40, unit: fc.constantFrom('a', 'b', ',', 'é', '中', '\r', ' ') });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (lines, endNl, sizes) => {
          const text = lines.join('\n') + (endNl ? '\n' : '');
          const bytes = new TextEncoder().encode(text);
          const blocks = new LineBlocks(1 << 20, { overlong: () => expect.unreachable() });
          const out: string[] = [];
          for (let i = 0, k = 0; i < bytes.length; k++) {
            const n = sizes[k % sizes.length];
            const block = blocks.push(bytes.slice(i, i + n));
            expect(block === '' || block.endsWith('\n')).toBe(true);
            out.push(block);
            i += n;
          }
          out.push(blocks.end());
          expect(out.join('')).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
