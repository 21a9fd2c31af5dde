import { logLevel, type LogEntry } from 'kafkajs';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Broker answers that are part of a healthy group's life: a rebalance, a join's first round.
 * kafkajs logs every error answer at level error, so an alert on error lines would fire on
 * every scale-up.
 */
const ROUTINE = [
  'The group is rebalancing, so a rejoin is needed',
  'The group member needs to have a valid member id before actually entering a consumer group',
];

/**
 * Answers that mean "try again shortly": a coordinator or leader moving, a member that must
 * rejoin. kafkajs retries them; they need a person only if they last, which the lag and
 * readiness alerts tell.
 */
const TRANSIENT = [
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'The coordinator is not aware of this member',
  'Specified group generation id is not valid',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
  'The leader epoch in the request is older than the epoch on the broker',
  'The leader epoch in the request is newer than the epoch on the broker',
];

/** The pino level a kafkajs log entry is written at. */
export function kafkaLogLevel(entry: Pick<LogEntry, 'level' | 'log'>): PinoLevel {
  if (entry.level > logLevel.WARN) return 'debug';
  const text = `${entry.log.message} ${typeof entry.log['error'] === 'string' ? entry.log['error'] : ''}`;
  if (ROUTINE.some((m) => text.includes(m))) return 'info';
  if (TRANSIENT.some((m) => text.includes(m))) return 'warn';
  return entry.level === logLevel.WARN ? 'warn' : 'error';
}
