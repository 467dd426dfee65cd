// Every benchmark reads its command line the same way: node:util parseArgs, strict (an unknown
// option, a missing value or a value that looks like an option stops the run before any work),
// with node's message followed by the benchmark's usage line. -h / --help prints the usage line.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

type Values<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'];

export function benchArgs<const T extends ParseArgsOptionsConfig>(argv: readonly string[], options: T, usage: string): Values<T> {
  try {
    const all: ParseArgsOptionsConfig = { ...options, help: { type: 'boolean', short: 'h' } };
    const { values } = parseArgs({ args: [...argv], options: all, strict: true, allowPositionals: false });
    if (values.help === true) {
      console.log(usage);
      process.exit(0);
    }
    return values as unknown as Values<T>;
  } catch (e) {
    if ((e as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS_')) throw new Error(`${(e as Error).message}\n${usage}`);
    throw e;
  }
}

/** A whole number of at least `lo` (undefined: the default). */
export function intArg(flag: string, v: string | undefined, fallback: number, lo: number, usage: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < lo) throw new Error(`${flag} needs an integer of at least ${lo}\n${usage}`);
  return n;
}
