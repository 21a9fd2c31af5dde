import type { DeadLetterReason } from '../../src/decode/outcome.ts';

/** A message no limit of a default-configured worker lets through, with the reason expected. */
export interface HostileCase {
  readonly name: string;
  readonly reason: DeadLetterReason;
  readonly value: Buffer;
}

const event = (over: Record<string, unknown>): Record<string, unknown> => ({
  team_id: 1,
  event: 'hostile',
  distinct_id: 'd',
  timestamp: new Date().toISOString(),
  ...over,
});

/** `depth` arrays nested in each other: `[[[…]]]` (valid JSON; 6,000 deep is 12 KB). */
export const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Valid JSON that costs too much to process: deep nesting (as an object and inside
 * properties sent as JSON text), too many keys, a string longer than `maxStringLength`.
 * Sizes stay under 64 KiB so a worker's message-size limit is not what catches them.
 */
export function hostileCases(maxStringLength: number): HostileCase[] {
  const deep = nestedArrays(6_000);
  const json = (over: Record<string, unknown>): string => JSON.stringify(event(over));
  return [
    {
      name: 'properties nesting 6,000 arrays deep',
      reason: 'too_deeply_nested',
      value: Buffer.from(json({ properties: { p: '__DEEP__' } }).replace('"__DEEP__"', deep)),
    },
    {
      name: 'properties as JSON text nesting 6,000 arrays deep',
      reason: 'too_deeply_nested',
      value: Buffer.from(json({ properties: `{"p":${deep}}` })),
    },
    {
      name: 'top-level field nesting 2,000 objects deep',
      reason: 'too_deeply_nested',
      value: Buffer.from(
        json({ extra: '__DEEP__' }).replace(
          '"__DEEP__"',
          '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
        ),
      ),
    },
    {
      name: '12,000 array items',
      reason: 'too_many_keys',
      value: Buffer.from(json({ properties: { items: new Array<number>(12_000).fill(0) } })),
    },
    {
      name: 'a string longer than the limit',
      reason: 'string_too_long',
      value: Buffer.from(json({ properties: { text: 's'.repeat(maxStringLength + 1) } })),
    },
  ];
}
