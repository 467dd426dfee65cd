// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { analyzeStream } from '../pipeline/analyze';
import { LogError, type SequenceOptions } from '../pipeline/types';
import { formatReport } from './format';

const USAGE = `usage: npm run -s analyze -- FILE [--by user|session] [--json]
       [--min-length N] [--max-length N] [--dedupe SECONDS] [--session-gap MINUTES]`;

interface Args {
  file: string;
  json: boolean;
  sequence: Partial<SequenceOptions>;
}

function parseArgs(argv: string[]): Args {
  const sequence: Partial<SequenceOptions> = {};
  let file = '';
  let json = false;
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) fail(`${flag} needs a number of at least 0`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--json':
        json = true;
        break;
      case '--by': {
        const v = argv[++i];
        if (v !== 'user' && v !== 'session') fail('--by takes "user" or "session"');
        sequence.by = v;
        break;
      }
      case '--min-length':
        sequence.minLength = num(a, argv[++i]);
        break;
      case '--max-length':
        sequence.maxLength = num(a, argv[++i]);
        break;
      case '--dedupe':
        sequence.dedupeSeconds = num(a, argv[++i]);
        break;
      case '--session-gap':
        sequence.sessionGapMinutes = num(a, argv[++i]);
        break;
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
      default:
        if (a.startsWith('-')) fail(`unknown option ${a}`);
        if (file) fail('give one file');
        file = a;
    }
  }
  if (!file) fail('no input file');
  return { file, json, sequence };
}

function fail(msg: string, code = 2): never {
  process.stderr.write(`analyze: ${msg}\n${code === 2 ? USAGE + '\n' : ''}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let size: number;
  try {
    const st = statSync(args.file);
    if (!st.isFile()) fail(`${args.file} is not a file`, 1);
    size = st.size;
  } catch {
    fail(`cannot open ${args.file}`, 1);
  }
  const stream = Readable.toWeb(createReadStream(args.file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  try {
    const { report } = await analyzeStream(stream, {
      fileName: basename(args.file),
      totalBytes: size,
      sequence: args.sequence,
      onProgress(p) {
        const pct = Math.floor((p.fraction ?? 0) * 100);
        if (pct === lastPct || p.stage === 'done') return;
        lastPct = pct;
        const line = `reading ${pct}% · ${p.rows.toLocaleString('en')} rows · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`;
        process.stderr.write(tty ? `\r${line}` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(args.json ? JSON.stringify(report) + '\n' : formatReport(report));
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof LogError) fail(`${args.file}: ${err.message}`, 1);
    throw err;
  }
}

main().catch((err) => {
  process.stderr.write(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
