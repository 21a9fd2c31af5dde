import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { classifyDlqError } from '../../../src/dlq/classify-dlq-error.ts';
import { DlqWritability } from '../../../src/dlq/dlq-writability.ts';

// kafkajs spreads its errors into module.exports: not visible as ESM named exports.
const {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} = kafkajs;

// kafkajs's own errors, built the way it builds them (protocol error from the broker, then
// wrapped once its retrier gives up).
function brokerError(type: string, message: string): InstanceType<typeof KafkaJSProtocolError> {
  // As createErrorFromCode hands it over: an object with the broker's type and code.
  const fromBroker = { type, code: 3, message, retriable: false } as unknown as Error;
  return new KafkaJSProtocolError(fromBroker);
}

test('the broker error type is found under the kafkajs wrappers', () => {
  const unknown = brokerError(
    'UNKNOWN_TOPIC_OR_PARTITION',
    'This server does not host this topic-partition',
  );
  const exhausted = new KafkaJSNumberOfRetriesExceeded(unknown, {
    retryCount: 5,
    retryTime: 4_800,
  });
  assert.deepEqual(classifyDlqError(exhausted), {
    error: 'UNKNOWN_TOPIC_OR_PARTITION',
    message: 'This server does not host this topic-partition',
  });
  const refused = brokerError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics');
  // As kafkajs's retrier wraps it (its typings omit the options argument).
  const denied: unknown = Reflect.construct(KafkaJSNonRetriableError, [
    refused,
    { cause: refused },
  ]);
  assert.equal(classifyDlqError(denied).error, 'TOPIC_AUTHORIZATION_FAILED');
  assert.equal(
    classifyDlqError(brokerError('MESSAGE_TOO_LARGE', 'too large')).error,
    'MESSAGE_TOO_LARGE',
  );
});

test('without a broker type the innermost error names the failure', () => {
  const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
  const lost = new KafkaJSNumberOfRetriesExceeded(refused, {
    retryCount: 5,
    retryTime: 4_800,
    cause: refused,
  } as never);
  assert.equal(classifyDlqError(lost).error, 'KafkaJSConnectionError');
  assert.equal(classifyDlqError('odd').error, 'unknown');
});

test('writability: the first failure turns it off, a changed error is news, a write turns it on', () => {
  const w = new DlqWritability('dlq');
  assert.equal(w.state.writable, true);
  const missing = { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'gone' };
  assert.equal(w.failed(missing, 1_000), true);
  assert.equal(w.failed(missing, 2_000), false);
  assert.equal(w.failed({ error: 'TOPIC_AUTHORIZATION_FAILED', message: 'no' }, 3_000), true);
  assert.equal(w.state.writable, false);
  assert.equal(w.state.failingSinceMs, 1_000);
  assert.equal(w.succeeded(), true);
  assert.equal(w.succeeded(), false);
  assert.deepEqual(w.state, {
    topic: 'dlq',
    writable: true,
    lastFailure: undefined,
    failingSinceMs: undefined,
  });
});
