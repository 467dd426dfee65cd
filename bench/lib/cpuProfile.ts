// Where a long main-thread task went: the page's CPU profile (CDP Profiler) cut to the task's time
// window, with bundle positions mapped back to source through the build's source maps.

import { join } from 'node:path';
import { SourceMap } from './sourceMap';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; parent?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  frame: string;
  ms: number;
}

/** Source-mapped frame names, one map per bundle file under appDir (served from the origin's root). */
export function frameNamer(appDir: string, origin: string): (cf: CpuProfile['nodes'][number]['callFrame']) => string {
  const maps = new Map<string, SourceMap | null>();
  return (cf) => {
    if (!cf.url) return cf.functionName || '(anonymous)';
    const path = cf.url.startsWith(origin) ? cf.url.slice(origin.length).replace(/^\//, '') : null;
    if (path === null) return `${cf.functionName || '(anonymous)'} ${cf.url}`;
    if (!maps.has(path)) maps.set(path, SourceMap.forBundle(join(appDir, path)));
    const o = maps.get(path)?.lookup(cf.lineNumber, cf.columnNumber) ?? null;
    if (!o) return `${cf.functionName || '(anonymous)'} ${path}:${cf.lineNumber + 1}`;
    const source = o.source.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, 'node_modules/');
    return `${o.name ?? (cf.functionName || '(anonymous)')} (${source}:${o.line})`;
  };
}

/**
 * Inclusive and self time per frame over the samples whose time falls in [fromUs, toUs] (profile
 * clock). Inclusive time counts a frame once per sample however deep it recurs.
 */
export function profileWindow(
  p: CpuProfile,
  fromUs: number,
  toUs: number,
  name: (cf: CpuProfile['nodes'][number]['callFrame']) => string,
): { total: FrameTime[]; self: FrameTime[]; sampledMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, string>();
  const nameOf = (id: number): string => {
    let s = names.get(id);
    if (s === undefined) {
      s = name(byId.get(id)!.callFrame);
      names.set(id, s);
    }
    return s;
  };
  const total = new Map<string, number>();
  const self = new Map<string, number>();
  let t = p.startTime;
  let sampledMs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    // A sample stands for the time until the next one.
    const dt = (i + 1 < p.timeDeltas.length ? p.timeDeltas[i + 1] : 0) / 1000;
    if (t < fromUs || t > toUs) continue;
    const leaf = p.samples[i];
    const leafName = nameOf(leaf);
    if (leafName === '(idle)' || leafName === '(program)') continue;
    sampledMs += dt;
    self.set(leafName, (self.get(leafName) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const nm = nameOf(id);
      if (nm === '(root)' || seen.has(nm)) continue;
      seen.add(nm);
      total.set(nm, (total.get(nm) ?? 0) + dt);
    }
  }
  const sorted = (m: Map<string, number>): FrameTime[] => [...m].map(([frame, ms]) => ({ frame, ms })).sort((a, b) => b.ms - a.ms);
  return { total: sorted(total), self: sorted(self), sampledMs };
}
