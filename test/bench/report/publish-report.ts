import { readFileSync } from 'node:fs';
import type { CorpusSpec } from '../corpus/preload-corpus.ts';
import {
  checkTargets,
  computeRatios,
  type BenchResults,
  type WorkerVariant,
} from './bench-summary.ts';
import { describeMachine, type MachineInfo } from './machine.ts';
import { reportRows } from './report-rows.ts';
import { renderMarkdown, renderText } from './render-report.ts';
import {
  describeSettings,
  writeJsonReport,
  writeMarkdownReport,
  type BenchSettings,
} from './write-outputs.ts';

/** Everything a run produced: what `--json` writes and `--from-json` reads back. */
export interface SavedReport {
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly settings: BenchSettings;
  readonly corpus: CorpusSpec & { readonly mix: object };
  readonly variants: readonly WorkerVariant[];
  readonly results: BenchResults;
}

/** Worker variants from result labels (`w1_on`, `w2`), for reports saved without them. */
export function variantsFromLabels(labels: readonly string[]): WorkerVariant[] {
  return labels.flatMap((label) => {
    const match = /^w(\d+)(?:_(on|off))?$/.exec(label);
    if (match === null) return [];
    const enrichment = (match[2] ?? 'as configured') as WorkerVariant['enrichment'];
    return [{ label, workers: Number(match[1]), enrichment }];
  });
}

export function loadSavedReport(file: string): SavedReport {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedReport>;
  if (
    report.results === undefined ||
    report.machine === undefined ||
    report.settings === undefined
  ) {
    throw new Error(`${file}: not a bench report (results, machine and settings expected)`);
  }
  return {
    ...(report as SavedReport),
    variants: report.variants ?? variantsFromLabels(Object.keys(report.results.workers)),
  };
}

/** Prints the table (stdout) and writes the JSON and Markdown files asked for. */
export async function publishReport(
  report: SavedReport,
  outputs: { readonly jsonFile: string | undefined; readonly markdownFile: string | undefined },
  log: (text: string) => void,
): Promise<void> {
  const ratios = computeRatios(report.results, report.variants);
  const targets = checkTargets(report.results, report.variants, ratios);
  const rows = reportRows(report.results, report.variants);
  console.log(`\n${describeMachine(report.machine)}\n${report.command}\n`);
  console.log(renderText(rows, ratios, targets));
  if (outputs.jsonFile !== undefined) {
    writeJsonReport(outputs.jsonFile, { ...report, ratios, targets });
    log(`results written to ${outputs.jsonFile}`);
  }
  if (outputs.markdownFile !== undefined) {
    const body = [
      `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC: \`${report.command}\``,
      '',
      `Machine: ${describeMachine(report.machine)}.`,
      '',
      `Settings: ${describeSettings(report.settings)}.`,
      '',
      renderMarkdown(rows, ratios, targets),
    ].join('\n');
    await writeMarkdownReport(outputs.markdownFile, body);
    log(`report written to ${outputs.markdownFile}`);
  }
}
