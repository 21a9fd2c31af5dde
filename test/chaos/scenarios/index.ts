import type { Scenario } from '../harness/scenario.ts';
import { ambiguousInsert } from './ambiguous-insert.ts';
import { baseline } from './baseline.ts';
import { failingBatch } from './failing-batch.ts';
import { kafkaRestart } from './kafka-restart.ts';
import { sigkillSteps } from './sigkill-steps.ts';
import { zombie } from './zombie.ts';

/** The matrix, in the order of the list. */
export const SCENARIOS: readonly Scenario[] = [
  baseline,
  sigkillSteps,
  ambiguousInsert,
  kafkaRestart,
  zombie,
  failingBatch,
];
