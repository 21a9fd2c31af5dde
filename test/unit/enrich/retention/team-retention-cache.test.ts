import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TeamSettingsSource } from '../../../../src/enrich/retention/read-team-settings.ts';
import { TeamRetentionCache } from '../../../../src/enrich/retention/team-retention-cache.ts';
import {
  parseTeamSettingsRows,
  type ParsedTeamSettings,
} from '../../../../src/enrich/retention/team-retention.ts';

const source: TeamSettingsSource = { url: 'postgres://unused/db', query: 'q', timeoutMs: 1_000 };

/** A settings source whose next answer the test decides. */
function scriptedSource() {
  const answers: (ParsedTeamSettings | Error)[] = [];
  let reads = 0;
  return {
    push: (answer: ParsedTeamSettings | Error) => answers.push(answer),
    get reads() {
      return reads;
    },
    read: async (): Promise<ParsedTeamSettings> => {
      reads++;
      const next = answers.shift();
      if (next === undefined) throw new Error('nothing scripted');
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

function recorder() {
  const log: string[] = [];
  return {
    log,
    events: {
      refreshed: (teams: number) => log.push(`ok ${teams}`),
      refreshFailed: (err: unknown, n: number, age: number | undefined) =>
        log.push(`failed ${n} ${age === undefined ? 'none' : `age ${age}`}`),
    },
  };
}

describe('team retention cache', () => {
  test('before any successful read every team gets 12 months; a read fills it', async () => {
    const src = scriptedSource();
    const rec = recorder();
    let now = 1_000;
    const cache = new TeamRetentionCache({
      source,
      refreshMs: 60_000,
      read: src.read,
      events: rec.events,
      now: () => now,
    });
    src.push(new Error('connection refused'));
    await cache.start();
    cache.close();
    assert.equal(cache.retentionOf(1), 12);
    assert.equal(cache.snapshotAgeMs(), undefined);
    now = 4_000;
    assert.equal(cache.staleMs(), 3_000);
    src.push(parseTeamSettingsRows([{ team_id: '1', retention_months: 1 }]));
    await cache.refresh();
    assert.equal(cache.retentionOf(1), 1);
    assert.equal(cache.retentionOf('1'), 1);
    assert.equal(cache.retentionOf(2), 12);
    assert.deepEqual(rec.log, ['failed 1 none', 'ok 1']);
  });

  test('a failed read keeps the last settings; the next success replaces them', async () => {
    const src = scriptedSource();
    const rec = recorder();
    let now = 0;
    const cache = new TeamRetentionCache({
      source,
      refreshMs: 60_000,
      read: src.read,
      events: rec.events,
      now: () => now,
    });
    src.push(parseTeamSettingsRows([{ team_id: 5, retention_months: 3 }]));
    await cache.refresh();
    now = 10_000;
    src.push(new Error('timeout'));
    src.push(new Error('timeout'));
    await cache.refresh();
    await cache.refresh();
    assert.equal(cache.retentionOf(5), 3);
    assert.equal(cache.snapshotAgeMs(), 10_000);
    src.push(parseTeamSettingsRows([{ team_id: 6, retention_months: 2 }]));
    await cache.refresh();
    assert.deepEqual([cache.retentionOf(5), cache.retentionOf(6)], [12, 2]);
    assert.deepEqual(rec.log, ['ok 1', 'failed 1 age 10000', 'failed 2 age 10000', 'ok 1']);
  });

  test('reads repeat every refreshMs and stop at close; concurrent refreshes share one read', async () => {
    const src = scriptedSource();
    for (let i = 0; i < 50; i++) src.push(parseTeamSettingsRows([]));
    const cache = new TeamRetentionCache({
      source,
      refreshMs: 5,
      read: src.read,
      events: recorder().events,
    });
    await Promise.all([cache.start(), cache.refresh()]);
    assert.equal(src.reads, 1);
    while (src.reads < 4) await new Promise((r) => setTimeout(r, 5));
    cache.close();
    const after = src.reads;
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(src.reads <= after + 1, `${src.reads} reads after close (${after} before)`);
  });
});
