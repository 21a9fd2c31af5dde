/**
 * Failpoints: named places where fault-injection tests make the worker die on purpose,
 * e.g. HANZO_INGEST_FAILPOINTS="after-insert-before-commit:3" kills the process with
 * SIGKILL the third time it passes there. Inert unless that variable is set.
 */
export type FailpointName =
  'before-insert' | 'after-insert-before-commit' | 'before-pending-commit';

const spec = parse(process.env['HANZO_INGEST_FAILPOINTS']);
const hits = new Map<string, number>();

export function failpoint(name: FailpointName): void {
  const target = spec.get(name);
  if (target === undefined) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count === target) {
    process.stderr.write(`failpoint ${name} hit (${count}): SIGKILL\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}

function parse(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [name, n] = part.trim().split(':');
    if (name !== undefined) out.set(name, Number(n ?? '1') || 1);
  }
  return out;
}
