import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { maskSecrets } from '../../../src/config/print-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const base = { KAFKA_BROKERS: 'k1:9092' };

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env: { ...base, ...env } });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('team settings (per-team retention) configuration', () => {
  test('off by default; the documented query, refresh and timeout', () => {
    const { teamSettings } = loadConfig({ env: base });
    assert.deepEqual(teamSettings, {
      query:
        'SELECT team_id, retention_months FROM team_settings WHERE retention_months IS NOT NULL',
      refreshMs: 60_000,
      timeoutMs: 5_000,
    });
  });

  test('the URL is a secret (masked when printed) and may come from a file setting', () => {
    const url = 'postgres://ingest:s3cret@pg.internal:5432/hanzo';
    const config = loadConfig({
      env: { ...base, TEAM_SETTINGS_URL: url, TEAM_SETTINGS_REFRESH_MS: '1000' },
    });
    assert.equal(config.teamSettings.url, url);
    assert.equal(config.teamSettings.refreshMs, 1_000);
    assert.doesNotMatch(JSON.stringify(maskSecrets(config)), /s3cret/);
  });

  test('each mistake names the setting, what it expects and (but for the secret URL) what it got', () => {
    const found = problems({
      TEAM_SETTINGS_URL: 'mysql://x',
      TEAM_SETTINGS_REFRESH_MS: '0',
      TEAM_SETTINGS_TIMEOUT_MS: 'soon',
      TEAM_SETTINGS_QUERY: '',
    });
    assert.equal(found.length, 4, found.join('\n'));
    for (const name of [
      'TEAM_SETTINGS_URL',
      'TEAM_SETTINGS_REFRESH_MS',
      'TEAM_SETTINGS_TIMEOUT_MS',
      'TEAM_SETTINGS_QUERY',
    ]) {
      assert.ok(
        found.some((p) => p.startsWith(name)),
        `${name} in:\n${found.join('\n')}`,
      );
    }
    // A secret's value is never echoed (the URL may hold a password); the others' are.
    const url = found.find((p) => p.startsWith('TEAM_SETTINGS_URL')) ?? '';
    assert.match(url, /postgres:\/\//);
    assert.doesNotMatch(url, /mysql/);
    assert.ok(found.includes('TEAM_SETTINGS_TIMEOUT_MS: expected a whole number, got "soon"'));
  });

  test('an unknown TEAM_SETTINGS_ variable is a typo', () => {
    const found = problems({ TEAM_SETTINGS_URI: 'postgres://x/y' });
    assert.ok(
      found.some((p) => p.includes('TEAM_SETTINGS_URI')),
      found.join('\n'),
    );
  });
});
