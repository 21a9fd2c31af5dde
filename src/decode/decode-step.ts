import { describeThrown } from '../errors.ts';
import type { MessageDecoder, RawMessage } from './decode-message.ts';
import type { DecodedEvent } from './decoded-event.ts';
import type { NormalizeContext } from './normalize-event.ts';
import { deadLetter, type Outcome } from './outcome.ts';

/** Step 1 of a message: Kafka bytes → a decoded event, or a dead letter saying why not. */
export type DecodeStep = (message: RawMessage, context: NormalizeContext) => Outcome<DecodedEvent>;

/**
 * Decode never fails a partition: bad input is a dead letter by rule (decode-message.ts), and
 * a library that throws on a message anyway (a bug, or an input no limit foresaw) turns that
 * message into an `unprocessable` dead letter instead of stopping its partition.
 */
export function createDecodeStep(decoder: MessageDecoder): DecodeStep {
  return (message, context) => {
    try {
      return decoder.decodeEvent(message, context);
    } catch (err) {
      return deadLetter('unprocessable', `decode failed: ${describeThrown(err)}`, 'decode');
    }
  };
}
