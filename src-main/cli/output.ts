// Printing for the command line: one JSON document for scripts, readable tables for people.
import Table from 'cli-table3';
import pc from 'picocolors';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const out = new Table({
    head: head.map((cell) => pc.bold(cell)),
    style: { head: [], border: [] },
    // No rule between rows: long tables stay readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) out.push(row.map(String));
  return out.toString();
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}

export const style = {
  heading: (text: string) => pc.bold(text),
  dim: (text: string) => pc.dim(text),
  warn: (text: string) => pc.yellow(text),
  error: (text: string) => pc.red(text),
  ok: (text: string) => pc.green(text),
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
