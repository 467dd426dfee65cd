import { describe, expect, it } from 'vitest';
import { GpuUnavailableError } from '../../gpu/device';
import { checkBinding, planDispatch, WORKGROUP } from './plan';
import { ACT_CODE, BIAS_ACT_NORM_WGSL, SPMM_WGSL } from './shaders';

describe('planDispatch', () => {
  it('covers every element with whole workgroups and drops nothing', () => {
    for (const count of [0, 1, 63, 64, 65, 257, 1000, 4096 * 17]) {
      const p = planDispatch(count, 65535);
      expect(p.groups).toBe(Math.ceil(count / WORKGROUP));
      expect(p.x * p.y * WORKGROUP).toBeGreaterThanOrEqual(count);
      if (count > 0) expect((p.groups - 1) * WORKGROUP).toBeLessThan(count);
    }
    expect(planDispatch(0, 65535)).toEqual({ count: 0, groups: 0, x: 0, y: 0 });
  });

  it('spreads large counts over a 2-D grid within the per-dimension limit', () => {
    const p = planDispatch(100 * WORKGROUP + 1, 11);
    expect(p.groups).toBe(101);
    expect(p.x).toBe(11);
    expect(p.y).toBe(10);
    // The shader's linear index (wid.y * x + wid.x) * WORKGROUP + li reaches every element exactly once.
    const seen = new Uint8Array(p.count);
    for (let wy = 0; wy < p.y; wy++)
      for (let wx = 0; wx < p.x; wx++)
        for (let li = 0; li < WORKGROUP; li++) {
          const i = (wy * p.x + wx) * WORKGROUP + li;
          if (i < p.count) seen[i]++;
        }
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('rejects counts past the u32 index range and bad counts', () => {
    expect(() => planDispatch(2 ** 32, 65535)).toThrow(GpuUnavailableError);
    expect(() => planDispatch(-1, 65535)).toThrow(RangeError);
    expect(() => planDispatch(1.5, 65535)).toThrow(RangeError);
  });
});

describe('checkBinding', () => {
  it('passes buffers up to the binding limit and refuses larger ones as unsupported input', () => {
    expect(() => checkBinding(1024, 1024, 'x')).not.toThrow();
    const err = (() => {
      try {
        checkBinding(1025, 1024, 'X');
      } catch (e) {
        return e as GpuUnavailableError;
      }
      return null;
    })();
    expect(err?.reason).toBe('unsupported-input');
    expect(err?.message).toMatch(/X needs 1025 bytes/);
  });
});

describe('WGSL sources', () => {
  it('use the shared workgroup size and activation codes', () => {
    expect(SPMM_WGSL).toContain(`@workgroup_size(${WORKGROUP})`);
    expect(SPMM_WGSL).not.toMatch(/atomic/);
    expect(BIAS_ACT_NORM_WGSL).toContain('0.2 * z');
    expect(ACT_CODE).toEqual({ none: 0, relu: 1, leakyRelu: 2, tanh: 3 });
  });
});
