import type { Scenario } from '../harness/scenario.ts';
import { baseline } from './baseline.ts';
import { kafkaRestart } from './kafka-restart.ts';

/** The matrix, in the order of the list. */
export const SCENARIOS: readonly Scenario[] = [baseline, kafkaRestart];
