import type { ScenarioReport } from './verdict.ts';

const COLUMNS: readonly [string, (r: ScenarioReport) => string][] = [
  ['scenario', (r) => r.scenario],
  ['injected fault', (r) => r.fault],
  ['produced', (r) => count(r.produced)],
  ['landed', (r) => count(r.landed)],
  ['DLQ', (r) => count(r.deadLetters)],
  ['lost', (r) => count(r.lost)],
  ['duplicated', (r) => count(r.duplicated)],
  ['rollups', (r) => rollupCell(r)],
  ['peak RSS MiB', (r) => (r.verdict === 'skipped' ? '' : String(r.peakRssMiB))],
  ['s', (r) => String(r.seconds)],
  ['verdict', (r) => r.verdict.toUpperCase()],
];

/** `exact` when every rollup measure equals the same aggregate of the distinct events. */
function rollupCell(r: ScenarioReport): string {
  const checks = r.measurement?.rollups ?? [];
  if (checks.length === 0) return '';
  const off = checks.filter((c) => !c.ok).length;
  return off === 0 ? 'exact' : `${off} off`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The chaos table as Markdown (it reads as plain text too, and goes into docs/reliability.md as is). */
export function formatTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(COLUMNS.map(([title]) => title)),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** Failures and notes under the table, one line each. */
export function formatDetails(reports: readonly ScenarioReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    // Failing checks are listed with the checks below.
    for (const f of r.failures.filter((f) => !r.checks.some((c) => f.startsWith(c.name))))
      lines.push(`- ${r.scenario}: FAIL ${f}`);
    for (const c of r.checks)
      lines.push(
        `- ${r.scenario}: ${c.ok ? 'ok' : 'FAILED'} ${c.name}${c.detail === undefined ? '' : ` (${c.detail})`}`,
      );
    for (const n of r.notes) lines.push(`- ${r.scenario}: ${n}`);
  }
  return lines.join('\n');
}
