/**
 * Failpoints: named places where fault-injection tests make the worker fail on purpose.
 * HANZO_INGEST_FAILPOINTS is a comma-separated list of `name:count[:action]`; the action
 * happens the count-th time the process passes there:
 * - `kill` (default): SIGKILL at once;
 * - `stop`: SIGSTOP (the process freezes until someone sends SIGCONT), e.g. to make a zombie;
 * - `kill@<ms>`: SIGKILL <ms> later while the worker carries on (`kill@0`: as soon as the
 *   requests already started are on the wire). `during-commit` defaults to `kill@0`;
 * - `fail`: the first `count` passes fail (an error, the process lives on), read with
 *   `failpointFails`. `decompress` defaults to `fail`.
 * Inert unless that variable is set.
 */
export type FailpointName =
  | 'before-pending-commit'
  | 'before-insert'
  | 'after-insert-before-commit'
  /** A batch's DLQ transaction committed (letters and `dlq=done`), its final commit not sent. */
  | 'after-dead-letters-before-commit'
  /** Reached right after the final commit (offset last + 1) was sent, before its answer. */
  | 'during-commit'
  /** Decompressing a fetched record batch (consume/compression): the first N fail. */
  | 'decompress';

export type FailpointAction =
  | { readonly kind: 'kill' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'kill-after'; readonly ms: number }
  | { readonly kind: 'fail' };

export interface FailpointSpec {
  readonly count: number;
  readonly action: FailpointAction;
}

const DEFAULT_ACTIONS: Partial<Record<string, FailpointAction>> = {
  'during-commit': { kind: 'kill-after', ms: 0 },
  decompress: { kind: 'fail' },
};

const specs = parseFailpoints(process.env['HANZO_INGEST_FAILPOINTS']);
const hits = new Map<string, number>();

export function failpoint(name: FailpointName): void {
  const spec = specs.get(name);
  if (spec === undefined || spec.action.kind === 'fail') return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count !== spec.count) return;
  const { action } = spec;
  const describe = action.kind === 'kill-after' ? `SIGKILL in ${action.ms} ms` : action.kind;
  process.stderr.write(`failpoint ${name} hit (${count}): ${describe}\n`);
  if (action.kind === 'kill') process.kill(process.pid, 'SIGKILL');
  else if (action.kind === 'stop') process.kill(process.pid, 'SIGSTOP');
  else setTimeout(() => process.kill(process.pid, 'SIGKILL'), action.ms);
}

/**
 * For `fail` failpoints: true for the first `count` passes (the caller then fails the
 * operation), false afterwards and when the failpoint is not set.
 */
export function failpointFails(name: FailpointName): boolean {
  const spec = specs.get(name);
  if (spec?.action.kind !== 'fail') return false;
  const count = (hits.get(name) ?? 0) + 1;
  if (count > spec.count) return false;
  hits.set(name, count);
  process.stderr.write(`failpoint ${name} hit (${count}/${spec.count}): fail\n`);
  return true;
}

export function parseFailpoints(text: string | undefined): Map<string, FailpointSpec> {
  const out = new Map<string, FailpointSpec>();
  for (const part of (text ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [name, n, actionText] = part.trim().split(':');
    if (name === undefined || name === '') continue;
    out.set(name, {
      count: Number(n ?? '1') || 1,
      action: parseAction(actionText) ?? DEFAULT_ACTIONS[name] ?? { kind: 'kill' },
    });
  }
  return out;
}

function parseAction(text: string | undefined): FailpointAction | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === 'kill') return { kind: 'kill' };
  if (text === 'stop') return { kind: 'stop' };
  if (text === 'fail') return { kind: 'fail' };
  const delayed = /^kill@(\d+)$/.exec(text);
  if (delayed !== null) return { kind: 'kill-after', ms: Number(delayed[1]) };
  throw new Error(
    `HANZO_INGEST_FAILPOINTS: unknown action "${text}" (kill, stop, kill@<ms> or fail)`,
  );
}
