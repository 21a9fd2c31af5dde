import type { DlqWritabilityState } from '../dlq/dlq-writability.ts';
import type { ConsumerPhase } from './consumer-activity.ts';

export interface Check {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Verdict {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, Check>>;
}

export interface ReadinessInputs {
  readonly now: number;
  readonly worker: { readonly running: boolean; readonly stopping: boolean };
  readonly consumer: {
    readonly phase: ConsumerPhase;
    readonly phaseSince: number;
    readonly lastActivityAt: number | undefined;
    readonly assignedPartitions: number;
  };
  /** When the brokers last answered (the lag reader's admin client). */
  readonly kafka: { readonly lastOkAt: number | undefined; readonly lastError: string | undefined };
  /** When ClickHouse last answered the probe. */
  readonly clickhouse: {
    readonly up: boolean;
    readonly lastOkAt: number | undefined;
    readonly lastError: string | undefined;
  };
  /** Whether the last write to the DLQ topic was acknowledged. */
  readonly dlq: DlqWritabilityState;
  readonly bounds: {
    /** The consume loop must show activity at least this often. */
    readonly progressMs: number;
    /** A group join may take this long (the rebalance timeout) before it counts as stuck. */
    readonly joinMs: number;
    /** Kafka and ClickHouse answers older than this count as lost. */
    readonly kafkaMs: number;
    readonly clickhouseMs: number;
  };
}

/**
 * /readyz: connected to Kafka and ClickHouse, in the group (assigned, or waiting for an
 * assignment), the consume loop moving within its bound, and the DLQ topic taking writes
 * (while it does not, partitions with dead letters wait). A draining worker is not ready.
 * Pure: the server hands in what the probes saw.
 */
export function evaluateReadiness(i: ReadinessInputs): Verdict {
  const checks: Record<string, Check> = {
    worker: i.worker.stopping
      ? { ok: false, detail: 'draining' }
      : i.worker.running
        ? { ok: true, detail: 'running' }
        : { ok: false, detail: 'starting' },
    kafka: recent('brokers answered', i.kafka.lastOkAt, i.kafka.lastError, i.now, i.bounds.kafkaMs),
    clickhouse: i.clickhouse.up
      ? recent(
          'ClickHouse answered',
          i.clickhouse.lastOkAt,
          undefined,
          i.now,
          i.bounds.clickhouseMs,
        )
      : { ok: false, detail: i.clickhouse.lastError ?? 'not probed yet' },
    consumer: consumerCheck(i),
    dlq: dlqCheck(i.dlq, i.now),
  };
  return verdict(checks);
}

function dlqCheck(dlq: DlqWritabilityState, now: number): Check {
  if (dlq.writable) return { ok: true, detail: `dead letters can be written to ${dlq.topic}` };
  const since = dlq.failingSinceMs === undefined ? '' : ` for ${seconds(now - dlq.failingSinceMs)}`;
  const why =
    dlq.lastFailure === undefined ? '' : `: ${dlq.lastFailure.error} (${dlq.lastFailure.message})`;
  return {
    ok: false,
    detail: `cannot write dead letters to ${dlq.topic}${since}${why}; partitions with dead letters wait`,
  };
}

function consumerCheck(i: ReadinessInputs): Check {
  const { phase, phaseSince, lastActivityAt, assignedPartitions } = i.consumer;
  const age = (t: number | undefined): number => (t === undefined ? Infinity : i.now - t);
  switch (phase) {
    case 'member': {
      const idle = age(lastActivityAt);
      const what =
        assignedPartitions === 0
          ? 'in the group, waiting for an assignment (no partitions)'
          : `assigned ${assignedPartitions} partition(s)`;
      return idle <= i.bounds.progressMs
        ? { ok: true, detail: `${what}; consume loop active ${seconds(idle)} ago` }
        : {
            ok: false,
            detail: `${what}; consume loop silent for ${seconds(idle)} (bound ${seconds(i.bounds.progressMs)})`,
          };
    }
    case 'joining': {
      const joining = age(phaseSince);
      return joining <= i.bounds.joinMs
        ? { ok: true, detail: `joining the group, waiting for an assignment (${seconds(joining)})` }
        : { ok: false, detail: `stuck joining the group for ${seconds(joining)}` };
    }
    case 'starting':
      return { ok: false, detail: 'not connected yet' };
    case 'crashed':
      return { ok: false, detail: 'consumer crashed; restarting' };
    case 'stopped':
      return { ok: false, detail: 'consumer stopped' };
  }
}

export interface HealthInputs {
  readonly now: number;
  /** Last time a timer on the event loop ran. */
  readonly lastTickAt: number;
  readonly stallMs: number;
  readonly delayMs: { readonly p99: number; readonly max: number };
}

/** /healthz: the process is alive and its event loop keeps turning. */
export function evaluateHealth(i: HealthInputs): Verdict {
  const since = i.now - i.lastTickAt;
  const loop: Check =
    since <= i.stallMs
      ? {
          ok: true,
          detail: `event loop responsive (delay p99 ${i.delayMs.p99.toFixed(1)} ms, max ${i.delayMs.max.toFixed(1)} ms)`,
        }
      : {
          ok: false,
          detail: `event loop stalled for ${seconds(since)} (bound ${seconds(i.stallMs)})`,
        };
  return verdict({ eventLoop: loop });
}

function recent(
  what: string,
  lastOkAt: number | undefined,
  lastError: string | undefined,
  now: number,
  boundMs: number,
): Check {
  if (lastOkAt === undefined) return { ok: false, detail: lastError ?? 'no answer yet' };
  const age = now - lastOkAt;
  if (age <= boundMs) return { ok: true, detail: `${what} ${seconds(age)} ago` };
  return {
    ok: false,
    detail: `no answer for ${seconds(age)}${lastError === undefined ? '' : `: ${lastError}`}`,
  };
}

function verdict(checks: Record<string, Check>): Verdict {
  return {
    status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'unavailable',
    checks,
  };
}

function seconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'ever';
}
