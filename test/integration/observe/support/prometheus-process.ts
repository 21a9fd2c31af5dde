import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../stack/process/free-port.ts';
import { spawnManaged, type ManagedProcess } from '../../../stack/process/managed-process.ts';

export const PROMETHEUS_BIN = process.env['PROMETHEUS_BIN'] ?? '/usr/bin/prometheus';

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/**
 * A real Prometheus (the Debian package) on a loopback port, with a generated
 * configuration: 1 s scrapes of the given targets under job `hanzo-ingest` (the job the
 * alert rules select on) and the project's rule files, evaluated every second.
 */
export class PrometheusProcess {
  readonly url: string;
  readonly #process: ManagedProcess;

  private constructor(url: string, process: ManagedProcess) {
    this.url = url;
    this.#process = process;
  }

  static async start(options: {
    dir: string;
    /** Each target with the labels the Prometheus Operator gives a pod's target. */
    targets: readonly { address: string; namespace: string; pod: string }[];
    ruleFiles: readonly string[];
  }): Promise<PrometheusProcess> {
    mkdirSync(join(options.dir, 'data'), { recursive: true });
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
      'scrape_configs:',
      '  - job_name: hanzo-ingest',
      '    static_configs:',
      ...options.targets.flatMap((t) => [
        `      - targets: [${JSON.stringify(t.address)}]`,
        `        labels: { namespace: ${JSON.stringify(t.namespace)}, pod: ${JSON.stringify(t.pod)} }`,
      ]),
      '',
    ].join('\n');
    const configFile = join(options.dir, 'prometheus.yml');
    writeFileSync(configFile, config);
    const port = await freePort();
    const child = spawnManaged(
      PROMETHEUS_BIN,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(options.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { name: 'prometheus', logFile: join(options.dir, 'prometheus.log') },
    );
    const prometheus = new PrometheusProcess(`http://127.0.0.1:${port}`, child);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (!child.running) throw new Error(`prometheus exited; see ${child.logFile}`);
      const ready = await fetch(`${prometheus.url}/-/ready`).catch(() => undefined);
      if (ready?.ok === true) return prometheus;
      await new Promise((r) => setTimeout(r, 200));
    }
    await child.stop();
    throw new Error(`prometheus not ready after 30 s; see ${child.logFile}`);
  }

  /** An instant query; throws on a PromQL error (bad expression, unknown function...). */
  async query(expr: string): Promise<PromSample[]> {
    const response = await fetch(`${this.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: unknown };
    };
    if (body.status !== 'success' || body.data === undefined) {
      throw new Error(`query failed (${body.error ?? response.status}): ${expr}`);
    }
    const { resultType, result } = body.data;
    if (resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    if (resultType !== 'vector') throw new Error(`unexpected ${resultType} result for ${expr}`);
    return result as PromSample[];
  }

  /** One number from a query that yields one series (NaN when there is none). */
  async value(expr: string): Promise<number> {
    const [first] = await this.query(expr);
    return first === undefined ? Number.NaN : Number(first.value[1]);
  }

  async labelValues(label: string, match: string): Promise<string[]> {
    const query = new URLSearchParams({ 'match[]': match }).toString();
    const url = `${this.url}/api/v1/label/${encodeURIComponent(label)}/values?${query}`;
    const body = (await (await fetch(url)).json()) as { status: string; data: string[] };
    if (body.status !== 'success') throw new Error(`label values failed: ${label} ${match}`);
    return body.data;
  }

  async rules(): Promise<{ name: string; type: string; health: string; lastError?: string }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/rules`)).json()) as {
      data: {
        groups: { rules: { name: string; type: string; health: string; lastError?: string }[] }[];
      };
    };
    return body.data.groups.flatMap((g) => g.rules);
  }

  async targets(): Promise<{ scrapeUrl: string; health: string; lastError: string }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { scrapeUrl: string; health: string; lastError: string }[] };
    };
    return body.data.activeTargets;
  }

  stop(): Promise<void> {
    return this.#process.stop(5_000);
  }
}
