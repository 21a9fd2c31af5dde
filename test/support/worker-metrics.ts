/** The worker's own /metrics (METRICS_PORT), for tests that wait on what it counted. */
export async function scrapeWorkerMetrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/**
 * Sum of the series of `name` in a scrape whose labels contain every `labels` fragment
 * (e.g. `case="head_vanished"`); 0 when there is none.
 */
export function seriesSum(metrics: string, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labels.every((label) => line.includes(label))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** `seriesSum` of a fresh scrape; 0 while the worker does not answer yet. */
export async function workerMetric(
  port: number,
  name: string,
  ...labels: string[]
): Promise<number> {
  const text = await scrapeWorkerMetrics(port).catch(() => '');
  return seriesSum(text, name, ...labels);
}
