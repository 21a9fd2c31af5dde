/**
 * Reads V8 .cpuprofile files (`node --cpu-prof`) and sums self time per function, so the
 * lead sees where a worker's CPU goes without opening a flame graph.
 */
interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds between consecutive samples; timeDeltas[i] precedes samples[i]. */
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `function file:line`, or a V8 pseudo-frame such as `(garbage collector)`. */
  readonly name: string;
  readonly selfMs: number;
  readonly percent: number;
}

export function parseCpuProfile(text: string): CpuProfile {
  const value = JSON.parse(text) as Partial<CpuProfile>;
  if (
    !Array.isArray(value.nodes) ||
    !Array.isArray(value.samples) ||
    !Array.isArray(value.timeDeltas)
  ) {
    throw new Error('not a V8 CPU profile (nodes, samples, timeDeltas expected)');
  }
  return value as CpuProfile;
}

/** `fn file:line` with the file shortened to what identifies it (package or repo path). */
export function frameName(frame: CallFrame): string {
  const fn = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return fn;
  return `${fn} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

export function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const repo = /\/(src|test)\//.exec(path);
  return repo === null ? path : path.slice(repo.index + 1);
}

/** V8's pseudo-frame for time the process spent waiting: not CPU, left out of the shares. */
export const IDLE = '(idle)';

/**
 * Self time per frame over one or more profiles, highest first, as a share of the busy
 * (non-idle) time. Sample i lasts until sample i + 1 (timeDeltas[i + 1]), as Chrome
 * DevTools counts it.
 */
export function topSelfTime(
  profiles: readonly CpuProfile[],
  limit = 25,
  keyOf: (frame: CallFrame) => string = frameName,
): SelfTime[] {
  const totals = new Map<string, number>();
  let all = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, keyOf(n.callFrame)]));
    for (let i = 0; i < profile.samples.length - 1; i++) {
      const us = profile.timeDeltas[i + 1] ?? 0;
      const key = byId.get(profile.samples[i]!) ?? '(unknown)';
      totals.set(key, (totals.get(key) ?? 0) + us);
      all += us;
    }
  }
  all -= totals.get(IDLE) ?? 0;
  totals.delete(IDLE);
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({
      name,
      selfMs: Math.round(us / 100) / 10,
      percent: all === 0 ? 0 : Math.round((us / all) * 1000) / 10,
    }));
}

/** Self time per script (package or source file): which library the time goes to. */
export function topSelfTimeByFile(profiles: readonly CpuProfile[], limit = 12): SelfTime[] {
  return topSelfTime(profiles, limit, (f) => (f.url === '' ? f.functionName : packageOf(f.url)));
}

/** Milliseconds sampled as idle, and in total. */
export function sampledTime(profiles: readonly CpuProfile[]): { idleMs: number; totalMs: number } {
  let idle = 0;
  let total = 0;
  for (const profile of profiles) {
    const idleIds = new Set(
      profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id),
    );
    for (let i = 0; i < profile.samples.length - 1; i++) {
      const us = profile.timeDeltas[i + 1] ?? 0;
      total += us;
      if (idleIds.has(profile.samples[i]!)) idle += us;
    }
  }
  return { idleMs: Math.round(idle / 1000), totalMs: Math.round(total / 1000) };
}

function packageOf(url: string): string {
  const short = shortUrl(url);
  if (!url.includes('/node_modules/')) return short;
  const parts = short.split('/');
  return parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1]}` : (parts[0] ?? short);
}

export function formatSelfTimes(title: string, rows: readonly SelfTime[]): string {
  const lines = rows.map(
    (r) =>
      `${r.selfMs.toFixed(1).padStart(10)} ms ${r.percent.toFixed(1).padStart(5)} %  ${r.name}`,
  );
  return [`${title}`, `${'self'.padStart(13)} ${'share'.padStart(7)}  function`, ...lines].join(
    '\n',
  );
}
