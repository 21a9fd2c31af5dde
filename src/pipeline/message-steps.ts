import type { MessageDecoder, RawMessage } from '../decode/decode-message.ts';
import { createDecodeStep, type DecodeStep } from '../decode/decode-step.ts';
import type { NormalizeContext } from '../decode/normalize-event.ts';
import type { Outcome } from '../decode/outcome.ts';
import type { EnrichStage } from '../enrich/enrich-stage.ts';
import { createEnrichStep, type EnrichStep } from '../enrich/enrich-step.ts';
import { RowFormatChoice } from '../serialise/row-format.ts';
import {
  createSerialiseStep,
  type SerialiseStep,
  type SerialisedRow,
} from '../serialise/serialise-row-step.ts';

/** The per-message steps: pure apart from caches, each a value in, `ok | dead letter` out. */
export interface MessageSteps {
  readonly decode: DecodeStep;
  readonly enrich: EnrichStep;
  readonly serialise: SerialiseStep;
}

/**
 * The steps every partition pipeline shares. The serialise step writes into one reused
 * buffer; a pipeline copies each row into its batch before the next message is taken.
 */
export function createMessageSteps(
  decoder: MessageDecoder,
  enrich: EnrichStage,
  formats: RowFormatChoice = new RowFormatChoice(),
): MessageSteps {
  return {
    decode: createDecodeStep(decoder),
    enrich: createEnrichStep(enrich),
    serialise: createSerialiseStep(decoder.maxPropertiesBytes, formats),
  };
}

/** decode → enrich → serialise: one Kafka message to the bytes its row is inserted as. */
export function runMessageSteps(
  steps: MessageSteps,
  message: RawMessage,
  context: NormalizeContext,
): Outcome<SerialisedRow> {
  const decoded = steps.decode(message, context);
  if (!decoded.ok) return decoded;
  const enriched = steps.enrich(decoded.value);
  if (!enriched.ok) return enriched;
  return steps.serialise(enriched.value);
}
