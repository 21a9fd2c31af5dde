import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logLevel } from 'kafkajs';
import { kafkaLogLevel } from '../../../src/log/kafka-log-level.ts';

const entry = (level: logLevel, message: string, error?: string) => ({
  level,
  log: { timestamp: '', logger: 'kafkajs', message, ...(error === undefined ? {} : { error }) },
});

describe('kafkaLogLevel', () => {
  test('a healthy group’s rebalance is info, not error', () => {
    const heartbeat = entry(
      logLevel.ERROR,
      'Response Heartbeat(key: 12, version: 3)',
      'The group is rebalancing, so a rejoin is needed',
    );
    assert.equal(kafkaLogLevel(heartbeat), 'info');
    const join = entry(
      logLevel.ERROR,
      'Response JoinGroup(key: 11, version: 5)',
      'The group member needs to have a valid member id before actually entering a consumer group',
    );
    assert.equal(kafkaLogLevel(join), 'info');
  });

  test('a coordinator or leader moving is warn', () => {
    for (const error of [
      "The coordinator is loading and hence can't process requests for this group",
      'This is not the correct coordinator for this group',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
    ]) {
      assert.equal(kafkaLogLevel(entry(logLevel.ERROR, 'Response Fetch(key: 1)', error)), 'warn');
    }
    assert.equal(
      kafkaLogLevel(
        entry(logLevel.ERROR, 'The coordinator is not aware of this member, re-joining the group'),
      ),
      'warn',
    );
  });

  test('everything else keeps its level', () => {
    assert.equal(
      kafkaLogLevel(entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded')),
      'error',
    );
    assert.equal(
      kafkaLogLevel(entry(logLevel.ERROR, 'Offset out of range, resetting to default offset')),
      'error',
    );
    assert.equal(kafkaLogLevel(entry(logLevel.WARN, 'something odd')), 'warn');
    assert.equal(kafkaLogLevel(entry(logLevel.INFO, 'Starting')), 'debug');
  });
});
