import type { DlqWriteFailure } from './classify-dlq-error.ts';

/** Whether dead letters can be written now; read by /readyz and the writable gauge. */
export interface DlqWritabilityState {
  readonly topic: string;
  readonly writable: boolean;
  /** The last failure while unwritable: broker error type and message. */
  readonly lastFailure: DlqWriteFailure | undefined;
  /** When the current run of failures began (epoch ms). */
  readonly failingSinceMs: number | undefined;
}

/**
 * Follows the outcome of DLQ writes. A write only fails after kafkajs's own bounded retries
 * (or at once for a non-retriable error), so one failure already means "not writable";
 * the next acknowledged write means writable again.
 */
export class DlqWritability {
  #state: DlqWritabilityState;

  constructor(topic: string) {
    this.#state = { topic, writable: true, lastFailure: undefined, failingSinceMs: undefined };
  }

  get state(): DlqWritabilityState {
    return this.#state;
  }

  /** Records a failed write; true when this failure turned the DLQ unwritable or changed the error. */
  failed(failure: DlqWriteFailure, nowMs: number): boolean {
    const before = this.#state;
    this.#state = {
      ...before,
      writable: false,
      lastFailure: failure,
      failingSinceMs: before.failingSinceMs ?? nowMs,
    };
    return before.writable || before.lastFailure?.error !== failure.error;
  }

  /** Records an acknowledged write; true when the DLQ was unwritable until now. */
  succeeded(): boolean {
    const was = this.#state.writable;
    this.#state = {
      ...this.#state,
      writable: true,
      lastFailure: undefined,
      failingSinceMs: undefined,
    };
    return !was;
  }
}
