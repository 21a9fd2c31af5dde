import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../../../..');
export const DASHBOARD_FILE = join(ROOT, 'docker/grafana/dashboards/hanzo-ingest.json');
export const ALERTS_FILE = join(ROOT, 'docker/prometheus/alerts.yml');

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

interface Dashboard {
  readonly panels: readonly Panel[];
  readonly templating: {
    readonly list: readonly {
      readonly name: string;
      readonly type: string;
      readonly query?: unknown;
    }[];
  };
}

export interface NamedQuery {
  readonly name: string;
  readonly expr: string;
}

/** Every PromQL expression of every panel (rows included). */
export function dashboardQueries(file = DASHBOARD_FILE): NamedQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  const out: NamedQuery[] = [];
  const walk = (panels: readonly Panel[]): void => {
    for (const panel of panels) {
      for (const [i, target] of (panel.targets ?? []).entries()) {
        if (target.expr !== undefined)
          out.push({ name: `${panel.title} #${i + 1}`, expr: target.expr });
      }
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** The dashboard's query variables: name and `label_values(...)` query. */
export function dashboardVariables(file = DASHBOARD_FILE): NamedQuery[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const q = v.query;
      const expr = typeof q === 'string' ? q : (q as { query: string }).query;
      return { name: v.name, expr };
    });
}

/** Grafana's variables as a query sees them for one group and topic. */
export function substitute(
  expr: string,
  vars: { namespace: string; group: string; topic: string; rateInterval: string },
): string {
  return expr
    .replaceAll('$__rate_interval', vars.rateInterval)
    .replaceAll('$__interval', vars.rateInterval)
    .replaceAll('$namespace', escapeRegex(vars.namespace))
    .replaceAll('$group', escapeRegex(vars.group))
    .replaceAll('$topic', escapeRegex(vars.topic));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

export interface RuleDefinition {
  readonly name: string;
  readonly kind: 'alert' | 'record';
  readonly expr: string;
}

/** Every alerting and recording rule of alerts.yml. */
export function alertRules(file = ALERTS_FILE): RuleDefinition[] {
  const doc = parse(readFileSync(file, 'utf8')) as {
    groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) =>
    g.rules.map((r) => ({
      name: r.alert ?? r.record ?? '?',
      kind: r.alert === undefined ? ('record' as const) : ('alert' as const),
      expr: r.expr.trim(),
    })),
  );
}
