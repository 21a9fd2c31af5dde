import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_RETENTION_MONTHS,
  parseTeamSettingsRows,
  teamKey,
} from '../../../../src/enrich/retention/team-retention.ts';

describe('team_settings rows', () => {
  test('team ids as numbers or text (node-postgres returns bigint as text); months 1-1200', () => {
    const { retention, rejected } = parseTeamSettingsRows([
      { team_id: 1, retention_months: 1 },
      { team_id: '18446744073709551615', retention_months: 36 },
      { team_id: '0042', retention_months: '24' },
      { team_id: 7, retention_months: 1200 },
    ]);
    assert.deepEqual(
      [...retention],
      [
        ['1', 1],
        ['18446744073709551615', 36],
        ['42', 24],
        ['7', 1200],
      ],
    );
    assert.deepEqual(rejected, []);
    assert.equal(DEFAULT_RETENTION_MONTHS, 12);
  });

  test('unusable rows are named and skipped: those teams keep the default', () => {
    const { retention, rejected } = parseTeamSettingsRows([
      { team_id: -1, retention_months: 3 },
      { team_id: '18446744073709551616', retention_months: 3 },
      { team_id: 2, retention_months: 0 },
      { team_id: 3, retention_months: 1.5 },
      { team_id: 4, retention_months: 1201 },
      { team_id: 5, retention_months: null },
      { team_id: null, retention_months: 3 },
      { team_id: 6 },
    ]);
    assert.equal(retention.size, 0);
    assert.equal(rejected.length, 8);
    assert.match(rejected[2] ?? '', /team_id=2 retention_months=0/);
  });

  test('a team id keys the same whether it arrived as a number or as text', () => {
    assert.equal(teamKey(42), '42');
    assert.equal(teamKey('42'), '42');
    assert.equal(teamKey('00042'), '42');
    assert.equal(teamKey('0'), '0');
    assert.equal(teamKey(18446744073709551615n), '18446744073709551615');
  });
});
