// The analyze command's arguments, in process: fuzzed argument lists never throw anything but a
// UsageError whose message names an option (and holds no control character), every number that is
// accepted lies in its documented range, and each number option refuses what lies outside it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENCODER_KIND } from '../pipeline/runner/constants';
import { encoderKindOf, HELP, NUMBER_OPTIONS, parseArgs, rangeText, seqBertOptionsOf, UsageError, type Args, type NumberOption } from './args';

const FLAGS = [...new Set([...HELP.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))];
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Values a hostile user might pass: numbers in every notation, control characters, long text. */
const value = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '1e20',
    '1e-300',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    '',
    ' 5',
    '5 ',
    '2..15',
    '15..2',
    '1.5',
    '99999999999999999999',
    'user',
    'session',
    'on',
    'off',
    'a=1',
    'view=1e3',
    '__proto__=1',
    '\u001b[2J',
    '\u202e',
    '-',
  ),
  fc.double().map(String),
  fc.integer().map(String),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const token = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FLAGS) }, { weight: 2, arbitrary: value }, { weight: 1, arbitrary: fc.constant('log.csv') });

function numbersInRange(a: Args): void {
  const within = (o: NumberOption, v: number | undefined | null) => {
    if (v === undefined || v === null) return;
    expect(Number.isFinite(v), o.flag).toBe(true);
    expect(v, o.flag).toBeGreaterThanOrEqual(o.min);
    expect(v, o.flag).toBeLessThanOrEqual(o.max);
    if (o.integer) expect(Number.isInteger(v), o.flag).toBe(true);
  };
  const O = NUMBER_OPTIONS;
  within(O.minLength, a.sequence.minLength);
  within(O.maxLength, a.sequence.maxLength);
  within(O.dedupe, a.sequence.dedupeSeconds);
  within(O.sessionGap, a.sequence.sessionGapMinutes);
  within(O.halfLife, a.halfLifeDays);
  within(O.k, a.k);
  within(O.epochs, a.epochs);
  within(O.epsilon, a.epsilon);
  within(O.sessionsPerUser, a.sessionsPerUser);
  within(O.bertEpochs, a.seqbert.epochs);
  within(O.bertLayers, a.seqbert.layers);
  within(O.bertHidden, a.seqbert.hidden);
  within(O.bertHeads, a.seqbert.heads);
  within(O.bertMaxLen, a.seqbert.maxLen);
  if (a.epsilon !== null) expect(a.epsilon).toBeGreaterThan(0);
  if (a.sweep) {
    within(O.sweep, a.sweep.kMin);
    within(O.sweep, a.sweep.kMax);
  }
  for (const [type, w] of Object.entries(a.weights)) {
    expect(Object.hasOwn(a.weights, type)).toBe(true);
    within(O.weight, w);
  }
  expect(Object.getPrototypeOf(a.weights)).toBe(Object.prototype);
}

describe('parseArgs, fuzzed', () => {
  it('accepts or refuses with a UsageError that names an option; accepted numbers are in range', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
        let r: Args | 'help';
        try {
          r = parseArgs(argv);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
          const msg = (e as Error).message;
          expect(msg).toMatch(/--[a-z]|unknown option|input file|one file|file path/);
          expect(msg).not.toMatch(UNSAFE);
          expect(msg.length).toBeLessThan(400);
          return;
        }
        if (r !== 'help') numbersInRange(r);
      }),
      { numRuns: 3000, seed: 17 },
    );
  });
});

/** A valid base to which one number option is added (--epsilon and --sessions-per-user need --out and --epsilon). */
const BASE = ['log.csv', '--out', 'out-dir', '--epsilon', '1'];

/** The simple `--flag VALUE` number options (--weight and --sweep have their own syntax). */
const SIMPLE = Object.values(NUMBER_OPTIONS as Record<string, NumberOption>).filter((o) => o.flag !== '--weight' && o.flag !== '--sweep');

describe('number options have ranges', () => {
  it('--help lists every number option with its range', () => {
    for (const o of Object.values(NUMBER_OPTIONS as Record<string, NumberOption>)) expect(HELP).toContain(rangeText(o));
  });

  it.each(SIMPLE.map((o) => [o.flag, o] as const))('%s: in range accepted, outside refused naming the option and range', (_flag, o) => {
    const lo = o.minExclusive ? o.min + (o.integer ? 1 : 0.001) : o.min;
    const inRange = o.integer
      ? fc.integer({ min: lo, max: o.max }).map(String)
      : fc.integer({ min: Math.round(lo * 1000), max: o.max * 1000 }).map((m) => String(m / 1000));
    fc.assert(
      fc.property(inRange, (v) => {
        expect(() => parseArgs([...BASE, o.flag, v])).not.toThrow();
      }),
      { numRuns: 60, seed: 3 },
    );
    const outside = fc.oneof(
      fc.integer({ min: o.max + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
      fc.integer({ min: -1e9, max: Math.ceil(o.min) - (o.minExclusive ? 0 : 1) }).map(String),
      fc.constantFrom('1e20', '1e3', 'NaN', 'Infinity', '', 'x', '0x10', '99999999999999999999'),
      ...(o.integer ? [fc.integer({ min: o.min, max: o.max - 1 }).map((n) => `${n}.5`)] : []),
    );
    fc.assert(
      fc.property(outside, (v) => {
        expect(() => parseArgs([...BASE, o.flag, v])).toThrow(UsageError);
        try {
          parseArgs([...BASE, o.flag, v]);
        } catch (e) {
          expect((e as Error).message).toContain(o.flag);
          expect((e as Error).message).toContain(rangeText(o));
        }
      }),
      { numRuns: 60, seed: 4 },
    );
    expect(() => parseArgs([...BASE, o.flag])).toThrow(new RegExp(`${o.flag}.*missing`));
  });

  it('--epochs 1e20 and --k 2.5 are refused; --sweep and --weight check their numbers', () => {
    expect(() => parseArgs(['f.csv', '--epochs', '1e20'])).toThrow(/--epochs takes a whole number from 1 to 10,000/);
    expect(() => parseArgs(['f.csv', '--k', '2.5'])).toThrow(/--k takes a whole number from 2/);
    expect(() => parseArgs(['f.csv', '--sweep', '2..99999'])).toThrow(/--sweep B takes a whole number from 2 to/);
    expect(() => parseArgs(['f.csv', '--sweep', '1..5'])).toThrow(/--sweep A takes/);
    expect(() => parseArgs(['f.csv', '--weight', 'view=1e9'])).toThrow(/--weight view=N takes a number from -1,000 to 1,000/);
    const a = parseArgs(['f.csv', '--weight', '__proto__=2', '--weight', 'view=-3.5']) as Args;
    expect(a.weights).toEqual({ ['__proto__']: 2, view: -3.5 });
    expect(Object.getPrototypeOf(a.weights)).toBe(Object.prototype);
  });

  it('privacy options need --out (and --sessions-per-user needs --epsilon)', () => {
    expect(() => parseArgs(['f.csv', '--epsilon', '1'])).toThrow(/need --out/);
    expect(() => parseArgs(['f.csv', '--pseudonymise'])).toThrow(/need --out/);
    expect(() => parseArgs(['f.csv', '--out', 'd', '--key-file', 'k'])).toThrow(/goes with --pseudonymise/);
    expect(() => parseArgs(['f.csv', '--out', 'd', '--sessions-per-user', '2'])).toThrow(/goes with --epsilon/);
    const a = parseArgs(['f.csv', '--out', 'd', '--pseudonymize', '--key-file', 'k.hex', '--epsilon', '0.5', '--sessions-per-user', '3']) as Args;
    expect(a).toMatchObject({ pseudonymise: true, keyFile: 'k.hex', epsilon: 0.5, sessionsPerUser: 3 });
  });
});

describe('encoder options', () => {
  it('--encoder seqbert|text|featurizer, bert kept as the old name of text; the default kind otherwise', () => {
    expect((parseArgs(['f.csv', '--encoder', 'seqbert']) as Args).encoder).toBe('seqbert');
    expect((parseArgs(['f.csv', '--encoder', 'text']) as Args).encoder).toBe('text');
    expect((parseArgs(['f.csv', '--encoder', 'bert']) as Args).encoder).toBe('text');
    expect((parseArgs(['f.csv', '--encoder', 'featurizer']) as Args).encoder).toBe('featurizer');
    const none = parseArgs(['f.csv']) as Args;
    expect(none.encoder).toBeNull();
    expect(encoderKindOf(none)).toBe(DEFAULT_ENCODER_KIND);
    // The default path is the behaviour BERT (issue 13), and the help says so.
    expect(DEFAULT_ENCODER_KIND).toBe('seqbert');
    expect(HELP).toMatch(/default seqbert\)/);
    expect(HELP).toMatch(/seqbert \(the default\)/);
    expect(() => parseArgs(['f.csv', '--encoder', 'gpt'])).toThrow(/--encoder takes "seqbert", "text"/);
    expect(HELP).toMatch(/--encoder seqbert\|text\|featurizer/);
  });

  it('--bert-* set the behaviour BERT and are refused with another encoder', () => {
    const a = parseArgs([
      'f.csv',
      '--encoder',
      'seqbert',
      '--bert-epochs',
      '3',
      '--bert-layers',
      '1',
      '--bert-hidden',
      '16',
      '--bert-heads',
      '4',
      '--bert-max-len',
      '30',
      '--bert-backend',
      'cpu',
    ]) as Args;
    expect(a.seqbert).toEqual({ epochs: 3, layers: 1, hidden: 16, heads: 4, maxLen: 30, backend: 'cpu' });
    expect(seqBertOptionsOf(a)).toEqual({ epochs: 3, layers: 1, hidden: 16, heads: 4, maxLen: 30, backend: 'cpu' });
    // Unset ones keep the stage's defaults; the backend is automatic (wasm in Node).
    expect(seqBertOptionsOf(parseArgs(['f.csv', '--encoder', 'seqbert']) as Args)).toEqual({ backend: 'auto' });
    expect((parseArgs(['f.csv', '--bert-epochs', '3']) as Args).encoder).toBe('seqbert');
    expect(() => parseArgs(['f.csv', '--encoder', 'text', '--bert-epochs', '3'])).toThrow(/--bert-\* options .* cannot go with --encoder text/);
    expect(() => parseArgs(['f.csv', '--encoder', 'featurizer', '--bert-layers', '1'])).toThrow(/cannot go with --encoder featurizer/);
    expect(() => parseArgs(['f.csv', '--bert-backend', 'webgpu'])).toThrow(/--bert-backend takes "auto", "wasm" or "cpu" \(WebGPU runs only in the browser\)/);
    expect(() => parseArgs(['f.csv', '--bert-epochs', '0'])).toThrow(/--bert-epochs takes a whole number from 1/);
    expect(() => parseArgs(['f.csv', '--bert-hidden', '16.5'])).toThrow(/--bert-hidden takes a whole number/);
  });

  it("bad shapes get the stage's own messages, named by option", () => {
    const shape =
      (...argv: string[]) =>
      () =>
        seqBertOptionsOf(parseArgs(['f.csv', '--encoder', 'seqbert', ...argv]) as Args);
    expect(shape('--bert-layers', '0')).toThrow(UsageError);
    expect(shape('--bert-layers', '0')).toThrow(/^--bert-layers 0: The behaviour BERT needs at least 1 layer \(got 0\)\.$/);
    expect(shape('--bert-hidden', '15')).toThrow(/^--bert-hidden 15: The hidden size \(15\) must be divisible by the number of attention heads \(2\)\.$/);
    expect(shape('--bert-hidden', '64', '--bert-heads', '3')).toThrow(/--bert-hidden 64, --bert-heads 3: .*divisible/);
    expect(shape('--bert-max-len', '0')).toThrow(/^--bert-max-len 0: The maximum sequence length must be a whole number of at least 1 \(got 0\)\.$/);
    expect(shape('--bert-heads', '0')).toThrow(/--bert-heads 0: The number of attention heads/);
  });
});
