import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchContext } from '../bench-context.ts';
import { formatSelfTimes, parseCpuProfile, topSelfTime, topSelfTimeByFile } from './cpu-profile.ts';
import { measureWorkerDrain, type DrainRun } from './worker-drain.ts';

export interface ProfileResult {
  readonly run: DrainRun;
  readonly profiles: readonly string[];
  readonly report: string;
}

/**
 * One 1-worker drain of the corpus under `node --cpu-prof`: the profile is written when
 * the worker exits after its graceful stop; its self time is summed per function.
 * Open the .cpuprofile in Chrome DevTools or speedscope for the flame graph.
 */
export async function profileWorkerDrain(
  ctx: BenchContext,
  options: {
    profileDir: string;
    topic: string;
    events: number;
    settings?: Readonly<Record<string, string>>;
  },
): Promise<ProfileResult> {
  const dir = resolve(options.profileDir);
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const run = await measureWorkerDrain(ctx, {
    label: 'profile',
    repetition: 1,
    workers: 1,
    topic: options.topic,
    events: options.events,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    ...(options.settings === undefined ? {} : { settings: options.settings }),
  });
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
    .map((f) => join(dir, f));
  if (profiles.length === 0) {
    throw new Error(`no .cpuprofile was written to ${dir} (did the worker exit cleanly?)`);
  }
  const parsed = profiles.map((f) => parseCpuProfile(readFileSync(f, 'utf8')));
  const report = [
    formatSelfTimes(
      'top 25 functions by self time (whole worker process life)',
      topSelfTime(parsed, 25),
    ),
    '',
    formatSelfTimes('self time by package / source file', topSelfTimeByFile(parsed, 15)),
  ].join('\n');
  return { run, profiles, report };
}
