/** The benchmark's output table: one row per figure, with target and ratio columns. */

/** One measured figure. */
export interface Row {
  figure: string;
  value: string;
  ratio?: string;
  target?: string;
}

/** Formats rows as a Markdown table. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'median', 'ratio to direct', 'target'];
  const lines = rows.map((r) => [r.figure, r.value, r.ratio ?? '', r.target ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
