import { describe, expect, it } from 'vitest';
import { fnv1a64 } from './hash';

/** The textbook definition, in BigInt: the limb arithmetic must agree with it bit for bit. */
function reference(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

describe('fnv1a64', () => {
  it('matches the published test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('agrees with a BigInt reference on assorted text, including non-ASCII', () => {
    for (const t of ['WHITE HANGING HEART T-LIGHT HOLDER', '红色连衣裙 夏季', 'é', '🙂 emoji', 'x'.repeat(1000)]) {
      expect(fnv1a64(t)).toBe(reference(t));
    }
  });
});
