import type { BenchResult, EvalResult, ModelProvenance, PaperColumn } from '@affectbench/core';

/** The accuracy columns of the HSEmotion README table, in its order, with their headings. */
export const PAPER_COLUMNS: readonly PaperColumn[] = ['affectnet8', 'affectnet7', 'afew', 'vgaf', 'lsd', 'mtl'];
export const COLUMN_TITLES: Record<PaperColumn, string> = {
  affectnet8: 'AffectNet-8',
  affectnet7: 'AffectNet-7',
  afew: 'AFEW',
  vgaf: 'VGAF',
  lsd: 'LSD',
  mtl: 'MTL',
};

/** How a model is named in tables: its registry id, else a short file hash. */
export function modelLabel(m: ModelProvenance): string {
  return m.id ?? `sha256:${m.sha256.slice(0, 12)}`;
}

export const dateOf = (r: EvalResult | BenchResult): number => Date.parse(r.provenance.date);

/** The newest of several candidates (by run date); ties keep the first seen. */
export function newest<T>(items: readonly T[], date: (t: T) => number): T | undefined {
  let best: T | undefined;
  for (const it of items) if (best === undefined || date(it) > date(best)) best = it;
  return best;
}

export function fmt(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toFixed(digits);
}

export function signed(n: number, digits = 2): string {
  const s = n.toFixed(digits);
  if (/^-0\.?0*$/.test(s)) return s.slice(1);
  return n > 0 && !/^0\.?0*$/.test(s) ? `+${s}` : s;
}

/** Latency with sensible precision across 0.1 ms … 10 s. */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
