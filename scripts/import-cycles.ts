// Finds import circles among the project's own TypeScript modules and exits 1 if there is any.
// Run: npx tsx scripts/import-cycles.ts [--json] [dir ...]   (default dir: src)
//
// Every static `import ... from`, `export ... from`, `import type` and literal `import('...')`
// counts, type-only ones included: a type-only circle is harmless at run time but still means two
// modules cannot be read (or moved) one without the other. Only relative specifiers are followed
// (packages cannot import us back). Specifiers resolve the way Vite and tsx resolve them: the path
// as written, then with .ts / .tsx, then as a folder's index.ts / index.tsx.
//
// Circles are the strongly connected components of the import graph (Tarjan); each is printed with
// one concrete loop through it, so the edge to cut is visible.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const EXTENSIONS = ['.ts', '.tsx'];

/** The .ts / .tsx files under `dir`, skipping node_modules and dot folders. */
export function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (EXTENSIONS.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The source with comments, regular-expression literals and template-literal text blanked out
 * (string literals kept: they hold the specifiers), so that the patterns below only see code.
 * A light scanner, not a parser (this project's TypeScript 7 has no compiler API): a `/` opens a
 * regular expression where an operand is expected, the usual heuristic.
 */
export function codeOnly(text: string): string {
  const out = text.split('');
  const blank = (from: number, to: number) => {
    for (let j = from; j < to; j++) if (out[j] !== '\n') out[j] = ' ';
  };
  const templates: number[] = []; // brace depth at each open `${`
  let depth = 0;
  let i = 0;
  let prev = ''; // last significant character outside strings and comments
  const n = text.length;
  const scanTemplate = (): void => {
    // At the character after ` or after the } closing a ${...}: runs to ` or ${.
    const start = i;
    while (i < n && text[i] !== '`') {
      if (text[i] === '\\') i += 2;
      else if (text[i] === '$' && text[i + 1] === '{') {
        blank(start, i);
        i += 2;
        templates.push(depth);
        depth++;
        prev = '{';
        return;
      } else i++;
    }
    blank(start, i);
    i++;
    prev = '`';
  };
  while (i < n) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      prev = c;
    } else if (c === '`') {
      i++;
      scanTemplate();
    } else if (
      c === '/' &&
      (prev === '' ||
        '(,=:[!&|?{};+-*%<>~^'.includes(prev) ||
        /\b(return|typeof|case|do|else|in|of|void|yield|await)\s*$/.test(text.slice(Math.max(0, i - 8), i)))
    ) {
      const start = i;
      i++;
      let inClass = false;
      while (i < n && text[i] !== '\n' && (inClass || text[i] !== '/')) {
        if (text[i] === '\\') i++;
        else if (text[i] === '[') inClass = true;
        else if (text[i] === ']') inClass = false;
        i++;
      }
      i++;
      blank(start, i);
      prev = 'r';
    } else {
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          templates.pop();
          i++;
          scanTemplate();
          continue;
        }
      }
      if (!/\s/.test(c)) prev = /[\w$]/.test(c) ? 'w' : c;
      i++;
    }
  }
  return out.join('');
}

const STATIC = /(?:^|[;}\n])\s*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"\n]+)\1/g;
const BARE = /(?:^|[;}\n])\s*import\s*(['"])([^'"\n]+)\1/g;
const DYNAMIC = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** The module specifiers a source text imports or re-exports: static, type-only, bare and literal dynamic. */
export function importSpecifiers(text: string): string[] {
  const code = codeOnly(text);
  const specs: string[] = [];
  for (const re of [STATIC, BARE, DYNAMIC]) for (const m of code.matchAll(re)) specs.push(m[2]);
  return specs;
}

/** The file a relative specifier names, or null (a package, an asset, a missing file). */
export function resolveSpecifier(from: string, spec: string, exists: (p: string) => boolean = isFile): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => join(base, `index${e}`))];
  // "./x.js" written for a TypeScript file x.ts.
  if (base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`, `${base.slice(0, -3)}.tsx`);
  for (const c of candidates) if (EXTENSIONS.some((e) => c.endsWith(e)) && exists(c)) return c;
  return null;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/** Strongly connected components with more than one module, or a module importing itself. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  // Iterative Tarjan: the src graph is deep enough to make recursion a risk.
  for (const root of graph.keys()) {
    if (idx.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const edges = graph.get(top.node) ?? [];
      if (top.next < edges.length) {
        const w = edges[top.next++];
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(top.node, Math.min(low.get(top.node)!, idx.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === idx.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        if (scc.length > 1 || edges.includes(top.node)) sccs.push(scc.sort());
      }
    }
  }
  return sccs;
}

/** One loop through a component: a shortest path from its first module back to itself. */
export function loopThrough(graph: Map<string, string[]>, scc: string[]): string[] {
  const members = new Set(scc);
  const start = scc[0];
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    for (const w of graph.get(queue[q]) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const chain: string[] = [];
        for (let v = queue[q]; v !== start; v = prev.get(v)!) chain.push(v);
        return [start, ...chain.reverse(), start];
      }
      if (!prev.has(w)) {
        prev.set(w, queue[q]);
        queue.push(w);
      }
    }
  }
  return scc;
}

/** The import graph of every source under `dirs` (edges to files outside them are kept out). */
export function buildGraph(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap((d) => listSources(resolve(d)));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = new Set<string>();
    for (const spec of importSpecifiers(readFileSync(f, 'utf8'))) {
      const t = resolveSpecifier(f, spec);
      if (t && known.has(t)) targets.add(t);
    }
    graph.set(f, [...targets].sort());
  }
  return graph;
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  const dirs = positionals.length > 0 ? positionals : ['src'];
  const graph = buildGraph(dirs);
  const rel = (f: string) => relative(process.cwd(), f);
  const cycles = findCycles(graph).map((scc) => ({ loop: loopThrough(graph, scc).map(rel), members: scc.map(rel) }));
  if (values.json) {
    console.log(JSON.stringify({ modules: graph.size, cycles }, null, 2));
  } else if (cycles.length === 0) {
    console.log(`No import circles among ${graph.size} modules under ${dirs.join(', ')}.`);
  } else {
    console.log(`${cycles.length} import circle(s) among ${graph.size} modules under ${dirs.join(', ')}:`);
    for (const c of cycles) {
      console.log(`  ${c.loop.join('\n    -> ')}`);
      if (c.members.length > c.loop.length - 1) console.log(`    (the whole circle: ${c.members.join(', ')})`);
    }
  }
  process.exitCode = cycles.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
