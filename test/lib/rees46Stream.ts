// A REES46-shaped behaviour log generated on the fly as a ReadableStream: rows are made one chunk
// at a time when the reader pulls, so a 1 GB log never exists on disk or in memory. Every row is a
// pure function of its index, so a test can recompute what any line held; a few rows at chosen
// indexes are broken on purpose (bad time, no item, a field short, no user).
import { hash32 } from '../../src/pipeline/numeric/sfc32';

export const REES46_HEADER = 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';

export type BadKind = 'time' | 'item' | 'fields' | 'user';
/** The reason the reader gives for each kind of broken row. */
export const BAD_REASON: Record<BadKind, string> = {
  time: 'unparsable timestamp',
  item: 'missing item id',
  fields: 'too few fields',
  user: 'missing user id',
};

export interface Rees46Options {
  /** Stop at the first chunk boundary at or past this many bytes. */
  targetBytes: number;
  /** Distinct product ids (and with them categories, brands, prices). */
  items: number;
  /** Distinct numeric user ids; ignored with `userUuid`. */
  users: number;
  /** Consecutive rows of one session. */
  sessionRows: number;
  /** The user column holds the session's 36-character UUID (one "user" per session). */
  userUuid: boolean;
  /** 0-based data row index -> how that row is broken. */
  bad: ReadonlyMap<number, BadKind>;
  /** Called before each chunk is made (the test samples memory here). */
  onPull?: () => void;
  chunkBytes?: number;
  /** Characters added to each product's category_code: wide rows, few events per byte. */
  widen?: number;
}

export interface Rees46Stats {
  rows: number;
  bytes: number;
  /** Lines of the file: the header plus one per row. */
  lines: number;
  /** Broken rows actually generated, by kind, with their 1-based line numbers in file order. */
  badLines: Record<BadKind, number[]>;
  done: boolean;
}

const BRANDS = ['samsung', 'apple', 'xiaomi', 'huawei', 'lucente', 'shiseido', 'aqua', 'bosch', 'lenovo', 'sony', ''];
const CATEGORIES = [
  'electronics.smartphone',
  'appliances.environment.water_heater',
  'furniture.living_room.sofa',
  'computers.notebook',
  'apparel.shoes.keds',
  '',
];
const BASE_SECONDS = Date.UTC(2019, 9, 1) / 1000;

export function productId(row: number, items: number): number {
  return 1_000_000 + (hash32(row) % items);
}

export function sessionOf(row: number, sessionRows: number): number {
  return Math.floor(row / sessionRows);
}

export function sessionUuid(session: number): string {
  const h = (k: number): string =>
    hash32(session * 4 + k)
      .toString(16)
      .padStart(8, '0');
  const a = h(0);
  const b = h(1);
  const c = h(2);
  const d = h(3);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

export function userIdOf(row: number, o: Pick<Rees46Options, 'users' | 'sessionRows' | 'userUuid'>): string {
  const s = sessionOf(row, o.sessionRows);
  return o.userUuid ? sessionUuid(s) : String(500_000_000 + (hash32(s ^ 0x5bd1e995) % o.users));
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
}

export function rees46Stream(o: Rees46Options): { stream: ReadableStream<Uint8Array>; stats: Rees46Stats } {
  const chunkBytes = o.chunkBytes ?? 1 << 20;
  const stats: Rees46Stats = { rows: 0, bytes: 0, lines: 1, badLines: { time: [], item: [], fields: [], user: [] }, done: false };
  const encoder = new TextEncoder();
  // Rows are assembled from cached byte pieces (copies, no per-row strings): generating must stay
  // well faster than reading, or the test would time the generator.
  const itemBytes = new Map<number, Uint8Array>();
  const itemColumns = (pid: number): Uint8Array => {
    let b = itemBytes.get(pid);
    if (b === undefined) {
      b = encoder.encode(`,${itemText(pid, o.widen ?? 0)},`);
      itemBytes.set(pid, b);
    }
    return b;
  };
  const TYPES = ['view', 'cart', 'purchase'].map((t) => encoder.encode(`,${t}`));
  let lastSecond = -1;
  let timeBytes = new Uint8Array(0);
  let lastSession = -1;
  let tailBytes = new Uint8Array(0);
  let header = true;

  const stream = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      o.onPull?.();
      if (stats.bytes >= o.targetBytes) {
        stats.done = true;
        ctrl.close();
        return;
      }
      const out = new Uint8Array(chunkBytes + 4096);
      let n = 0;
      const put = (b: Uint8Array): void => {
        out.set(b, n);
        n += b.length;
      };
      if (header) {
        header = false;
        put(encoder.encode(`${REES46_HEADER}\n`));
      }
      while (n < chunkBytes) {
        const row = stats.rows++;
        const line = row + 2;
        stats.lines = line;
        const second = BASE_SECONDS + (row >>> 2);
        if (second !== lastSecond) {
          lastSecond = second;
          timeBytes = encoder.encode(formatTime(second));
        }
        const s = sessionOf(row, o.sessionRows);
        if (s !== lastSession) {
          lastSession = s;
          tailBytes = encoder.encode(`${userIdOf(row, o)},${sessionUuid(s)}\n`);
        }
        const type = typeOf(row);
        const bad = o.bad.get(row);
        if (bad === undefined) {
          put(timeBytes);
          put(TYPES[type]);
          put(itemColumns(productId(row, o.items)));
          put(tailBytes);
          continue;
        }
        stats.badLines[bad].push(line);
        const t = ['view', 'cart', 'purchase'][type];
        const item = itemText(productId(row, o.items), o.widen ?? 0);
        const user = userIdOf(row, o);
        const session = sessionUuid(s);
        const time = formatTime(second);
        let text: string;
        if (bad === 'time') text = `not a date,${t},${item},${user},${session}`;
        else if (bad === 'item') text = `${time},${t},,2053013552226107603,,,1.00,${user},${session}`;
        else if (bad === 'fields') text = `${time},${t},${item},${user}`;
        else text = `${time},${t},${item},,${session}`;
        put(encoder.encode(`${text}\n`));
      }
      stats.bytes += n;
      ctrl.enqueue(out.subarray(0, n));
    },
  });
  return { stream, stats };
}

/** 0 view, 1 cart, 2 purchase: mostly views, as in REES46. */
function typeOf(row: number): number {
  const h = hash32(row ^ 0x9e3779b9);
  return h % 50 === 0 ? 2 : h % 20 === 0 ? 1 : 0;
}

/** product_id .. price: fixed per product, as in REES46. */
function itemText(pid: number, widen: number): string {
  const h = hash32(pid);
  const category = widen > 0 ? `${CATEGORIES[h % CATEGORIES.length]}.${'x'.repeat(widen)}` : CATEGORIES[h % CATEGORIES.length];
  const price = ((h % 200_000) / 100 + 0.99).toFixed(2);
  return `${pid},${2053013552226107603n + BigInt(h % 700)},${category},${BRANDS[(h >>> 8) % BRANDS.length]},${price}`;
}
