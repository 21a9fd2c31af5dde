import type { DeadLetterReason } from '../../src/decode/outcome.ts';

/** One malformed message of every class the worker must dead-letter, with the reason expected. */
export interface PoisonCase {
  readonly name: string;
  readonly reason: DeadLetterReason;
  readonly value: Buffer;
}

const NOW = Date.now();
const valid = (over: Record<string, unknown>): Buffer =>
  Buffer.from(
    JSON.stringify({
      team_id: 1,
      event: 'e',
      distinct_id: 'd',
      timestamp: new Date(NOW).toISOString(),
      ...over,
    }),
  );
const without = (field: string): Buffer => {
  const event: Record<string, unknown> = {
    team_id: 1,
    event: 'e',
    distinct_id: 'd',
    timestamp: new Date(NOW).toISOString(),
  };
  delete event[field];
  return Buffer.from(JSON.stringify(event));
};

/** `maxMessageBytes` and `maxPropertiesBytes` must be the worker's limits for the size cases. */
export function poisonCases(maxMessageBytes: number, maxPropertiesBytes: number): PoisonCase[] {
  return [
    {
      name: 'invalid JSON',
      reason: 'invalid_json',
      value: Buffer.from('{"team_id": 1, "event": '),
    },
    { name: 'not an object', reason: 'not_an_object', value: Buffer.from('[1,2,3]') },
    { name: 'wrong type (team_id string)', reason: 'wrong_type', value: valid({ team_id: 'abc' }) },
    { name: 'wrong type (event number)', reason: 'wrong_type', value: valid({ event: 42 }) },
    {
      name: 'wrong type (tokens negative)',
      reason: 'wrong_type',
      value: valid({ tokens_prompt: -5 }),
    },
    { name: 'missing event', reason: 'missing_field', value: without('event') },
    { name: 'missing team_id', reason: 'missing_field', value: without('team_id') },
    { name: 'missing timestamp', reason: 'missing_field', value: without('timestamp') },
    {
      name: 'far-future timestamp',
      reason: 'timestamp_in_future',
      value: valid({ timestamp: '2099-01-01T00:00:00Z' }),
    },
    {
      name: 'pre-1970 timestamp',
      reason: 'timestamp_before_1970',
      value: valid({ timestamp: '1969-07-20T20:17:00Z' }),
    },
    {
      name: 'invalid UTF-8',
      reason: 'invalid_utf8',
      value: Buffer.concat([
        Buffer.from('{"team_id":1,"event":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('","distinct_id":"d","timestamp":0}'),
      ]),
    },
    {
      name: 'oversized message',
      reason: 'message_too_large',
      value: valid({ properties: { pad: 'x'.repeat(maxMessageBytes) } }),
    },
    {
      name: 'oversized properties',
      reason: 'properties_too_large',
      value: valid({ properties: { pad: 'y'.repeat(maxPropertiesBytes + 10) } }),
    },
    {
      name: 'unknown schema id',
      reason: 'unknown_schema_id',
      value: Buffer.from([0, 0, 0, 0x30, 0x39, 2, 4, 6]),
    },
  ];
}
