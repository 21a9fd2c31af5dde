import type { Scenario } from '../harness/scenario.ts';
import { ambiguousInsert } from './ambiguous-insert.ts';
import { backpressure } from './backpressure.ts';
import { badInput } from './bad-input.ts';
import { baseline } from './baseline.ts';
import { clickhouseDown } from './clickhouse-down.ts';
import { failingBatch } from './failing-batch.ts';
import { hostileInput } from './hostile-input.ts';
import { kafkaRestart } from './kafka-restart.ts';
import { rebalanceStorm } from './rebalance-storm.ts';
import { retentionAndDlq } from './retention-and-dlq.ts';
import { rollupDedup } from './rollup-dedup.ts';
import { sigkillSteps } from './sigkill-steps.ts';
import { zombie } from './zombie.ts';

/**
 * The matrix, in the order of the issues' lists (1–11, then 12: what real producers send,
 * 13: retention and dead letters at the edges).
 */
export const SCENARIOS: readonly Scenario[] = [
  baseline,
  sigkillSteps,
  ambiguousInsert,
  clickhouseDown,
  kafkaRestart,
  rebalanceStorm,
  zombie,
  failingBatch,
  badInput,
  backpressure,
  rollupDedup,
  hostileInput,
  retentionAndDlq,
];
