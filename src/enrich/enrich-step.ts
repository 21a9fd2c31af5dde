import type { DecodedEvent } from '../decode/decoded-event.ts';
import { deadLetter, ok, type Outcome } from '../decode/outcome.ts';
import { describeThrown } from '../errors.ts';
import type { EnrichStage } from './enrich-stage.ts';

/** Step 2 of a message: the decoded event with its derived columns filled and `properties` scrubbed. */
export type EnrichStep = (event: DecodedEvent) => Outcome<DecodedEvent>;

/**
 * Enrichers never fail a message on bad input (a miss leaves fields empty and is counted);
 * one that throws anyway makes that message an `unprocessable` dead letter, not a stopped
 * partition.
 */
export function createEnrichStep(enrich: EnrichStage): EnrichStep {
  return (event) => {
    try {
      enrich(event);
      return ok(event);
    } catch (err) {
      return deadLetter('unprocessable', `enrich failed: ${describeThrown(err)}`, 'enrich');
    }
  };
}
