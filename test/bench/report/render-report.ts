import type { Ratios, TargetCheck } from './bench-summary.ts';
import type { ReportRow } from './report-rows.ts';

const HEADERS: Record<keyof ReportRow, string> = {
  measurement: 'measurement',
  rate: 'events/s (median)',
  runs: 'runs',
  peakRss: 'peak RSS MiB',
  cpu: 'CPU s per M events: client / CH / Kafka',
  cost: 'client µs/event (× kafkajs consume)',
  note: 'notes',
};
const COLUMNS = Object.keys(HEADERS) as (keyof ReportRow)[];
const RIGHT = new Set<keyof ReportRow>(['rate', 'peakRss']);

export const RATIO_NAMES: Record<keyof Ratios, string> = {
  workerOverNative: 'worker / native Kafka engine',
  workerOverLimit: 'worker / min(consume limit, insert limit)',
  workerWithoutEnrichmentOverLimit: 'worker without enrichment / min(consume, insert)',
  enrichmentOnOverOff: 'enrichment on / off',
  twoWorkersOverOne: '2 worker processes / 1',
  kafkajsOverKafkaTool: 'kafkajs consumer / ConsumerPerformance',
  workerCpuOverConsumeCpu: 'worker CPU per event / kafkajs consumer CPU per event',
};

const metText = (met: boolean | undefined): string =>
  met === undefined ? 'not measured' : met ? 'met' : 'NOT met';

/** Fixed-width text for the terminal. */
export function renderText(
  allRows: readonly ReportRow[],
  ratios: Ratios,
  targets: readonly TargetCheck[],
): string {
  // Long notes (error messages) are cut here; the JSON and the Markdown keep more.
  const rows = allRows.map((r) => ({
    ...r,
    note: r.note.length > 160 ? `${r.note.slice(0, 157)}...` : r.note,
  }));
  const widths = COLUMNS.map((c) => Math.max(HEADERS[c].length, ...rows.map((r) => r[c].length)));
  const line = (cells: Record<keyof ReportRow, string>): string =>
    COLUMNS.map((c, i) =>
      RIGHT.has(c) ? cells[c].padStart(widths[i]!) : cells[c].padEnd(widths[i]!),
    )
      .join('  ')
      .trimEnd();
  const out = [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  out.push('ratios');
  for (const [key, name] of Object.entries(RATIO_NAMES)) {
    const value = ratios[key as keyof Ratios];
    out.push(`  ${name.padEnd(52)} ${value === undefined ? 'not measured' : `${value}×`}`);
  }
  out.push('', 'targets');
  for (const t of targets) out.push(`  [${metText(t.met)}] ${t.target}: ${t.measured}`);
  return out.join('\n');
}

/** A table cell: one line, pipes escaped, long texts (error messages) cut; JSON has them whole. */
const cell = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').replaceAll('|', '\\|');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
};

/** The same report as Markdown, for BENCHMARKS.md. */
export function renderMarkdown(
  rows: readonly ReportRow[],
  ratios: Ratios,
  targets: readonly TargetCheck[],
): string {
  const out = [
    `| ${COLUMNS.map((c) => HEADERS[c]).join(' | ')} |`,
    `| ${COLUMNS.map((c) => (RIGHT.has(c) ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${COLUMNS.map((c) => cell(r[c])).join(' | ')} |`),
    '',
    '| ratio | value |',
    '| --- | ---: |',
    ...Object.entries(RATIO_NAMES).map(([key, name]) => {
      const value = ratios[key as keyof Ratios];
      return `| ${name} | ${value === undefined ? 'not measured' : `${value}×`} |`;
    }),
    '',
    '| target | measured | status |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${cell(t.target)} | ${cell(t.measured)} | ${metText(t.met)} |`),
  ];
  return out.join('\n');
}

/** Replaces what lies between the bench markers of a Markdown document. */
export function replaceBetweenMarkers(document: string, content: string): string {
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const from = document.indexOf(begin);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${begin} … ${end} not found`);
  return `${document.slice(0, from + begin.length)}\n${content}\n${document.slice(to)}`;
}
