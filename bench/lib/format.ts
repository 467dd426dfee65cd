// Number formatting and markdown tables for benchmark output that is pasted into docs as is.

export const MiB = 1024 * 1024;

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB` : 'n/a';
}

export function ms(v: number): string {
  return Number.isFinite(v) ? `${Math.round(v).toLocaleString('en')} ms` : 'n/a';
}

export function int(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en') : 'n/a';
}

export function times(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a';
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
