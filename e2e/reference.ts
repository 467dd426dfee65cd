// Independent, deliberately simple readings of the sample logs, to check the app's counts against.
// Nothing here shares code with src/pipeline.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = fileURLToPath(new URL('../../shared/data/', import.meta.url));

export const FILES = {
  rees46: `${DATA_DIR}rees46-sample/2019-Oct-sample.csv`,
  diginetica: `${DATA_DIR}diginetica-sample/sample_train-item-views.csv`,
  otto: `${DATA_DIR}otto-sample/train.jsonl`,
  uci: `${DATA_DIR}uci-online-retail/online-retail-2010-12_2011-05.csv`,
} as const;

export const hasSharedData = Object.values(FILES).every((f) => existsSync(f));

/** RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

interface Table {
  header: string[];
  rows: string[][];
  column(name: string): string[];
}

function readTable(path: string, delimiter: string): Table {
  const [header, ...rows] = parseDelimited(readFileSync(path, 'utf8'), delimiter);
  return {
    header,
    rows,
    column(name) {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`${path} has no column ${name}`);
      return rows.map((r) => r[i] ?? '');
    },
  };
}

const distinct = (values: string[]) => new Set(values).size;
const present = (v: string) => v.trim() !== '' && v !== 'NA';

export function rees46() {
  const t = readTable(FILES.rees46, ',');
  return {
    rows: t.rows.length,
    users: distinct(t.column('user_id').filter(present)),
    sessions: distinct(t.column('user_session').filter(present)),
    items: distinct(t.column('product_id').filter(present)),
  };
}

export function diginetica() {
  const t = readTable(FILES.diginetica, ';');
  return {
    rows: t.rows.length,
    sessions: distinct(t.column('session_id')),
    items: distinct(t.column('item_id')),
    rowsWithUser: t.column('user_id').filter(present).length,
  };
}

export function otto() {
  const lines = readFileSync(FILES.otto, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const sessions = lines.map((l) => JSON.parse(l) as { session: number; events: { aid: number }[] });
  return {
    sessions: sessions.length,
    events: sessions.reduce((n, s) => n + s.events.length, 0),
    items: new Set(sessions.flatMap((s) => s.events.map((e) => e.aid))).size,
  };
}

export function uci() {
  const t = readTable(FILES.uci, ',');
  const customers = t.column('CustomerID');
  return {
    rows: t.rows.length,
    customers: distinct(customers.filter(present)),
    missingCustomer: customers.filter((c) => !present(c)).length,
    // The summary counts the items of accepted rows: lines with a customer, when grouping by user.
    stockCodes: distinct(t.column('StockCode').filter((_, i) => present(customers[i]))),
  };
}
