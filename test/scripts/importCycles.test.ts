// scripts/import-cycles.ts: the scanner finds every kind of import and none in comments, strings or
// regular expressions; the cycle search finds circles (type-only ones too) and nothing else.
import { describe, expect, it } from 'vitest';
import { codeOnly, findCycles, importSpecifiers, loopThrough, resolveSpecifier } from '../../scripts/import-cycles';

describe('importSpecifiers', () => {
  it('finds static, type-only, bare, re-export and literal dynamic imports, across lines', () => {
    const text = [
      "import a from './a';",
      "import type { B } from './b.ts';",
      'import {',
      '  c,',
      '  type C,',
      "} from './c';",
      "import './side-effect.css';",
      "export { d } from './d';",
      "export * from './e';",
      "const f = await import('./f');",
      "type G = import('./g').G;",
      "import * as pkg from 'package';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(expect.arrayContaining(['./a', './b.ts', './c', './side-effect.css', './d', './e', './f', './g', 'package']));
    expect(importSpecifiers(text)).toHaveLength(9);
  });

  it('ignores imports inside comments, strings, template literals and regular expressions', () => {
    const text = [
      "// import x from './comment';",
      "/* export { y } from './block'; */",
      'const s = "import z from \'./string\'";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text under test, with a template literal in it
      "const wgsl = `import w from './template' ${1 + 2} and more`;",
      "const re = /import q from '.\\/regex'/;",
      "import real from './real';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./real']);
  });

  it('keeps line structure so that positions survive blanking', () => {
    const text = 'a; // c\n/* x\ny */ b';
    expect(codeOnly(text).split('\n')).toHaveLength(3);
  });
});

describe('resolveSpecifier', () => {
  const files = new Set(['/p/src/a.ts', '/p/src/dir/index.tsx', '/p/src/c.ts']);
  const exists = (p: string) => files.has(p);
  it('resolves as written, with an extension, or as a folder index; leaves packages alone', () => {
    expect(resolveSpecifier('/p/src/x.ts', './a', exists)).toBe('/p/src/a.ts');
    expect(resolveSpecifier('/p/src/x.ts', './a.ts', exists)).toBe('/p/src/a.ts');
    expect(resolveSpecifier('/p/src/x.ts', './dir', exists)).toBe('/p/src/dir/index.tsx');
    expect(resolveSpecifier('/p/src/x.ts', './c.js', exists)).toBe('/p/src/c.ts');
    expect(resolveSpecifier('/p/src/x.ts', 'react', exists)).toBeNull();
    expect(resolveSpecifier('/p/src/x.ts', './missing', exists)).toBeNull();
  });
});

describe('findCycles', () => {
  it('reports each circle once, with a loop through it, and no acyclic module', () => {
    const graph = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['a']],
    ]);
    const cycles = findCycles(graph);
    expect(cycles.map((c) => c.join(',')).sort()).toEqual(['a,b,c', 'e']);
    expect(loopThrough(graph, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'a']);
    expect(loopThrough(graph, ['e'])).toEqual(['e', 'e']);
  });

  it('finds nothing in a tree', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });
});
