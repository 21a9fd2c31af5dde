import kafkajs, { type Admin } from 'kafkajs';
import { errorMessage } from '../errors.ts';

// kafkajs assigns its enums to module.exports at run time: not visible as named ESM exports.
const { ConfigResourceTypes } = kafkajs;

/** Kafka's default message.max.bytes (a broker that reports nothing takes this). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface TopicMessageLimit {
  /** The largest record batch the topic accepts. */
  readonly bytes: number;
  /** `broker`: as described; `default`: describing failed (reason in `error`). */
  readonly source: 'broker' | 'default';
  readonly error?: string;
}

/**
 * The topic's effective max.message.bytes, as the broker describes it: the topic's own
 * override, else the broker's message.max.bytes (DescribeConfigs reports the value in
 * force either way). Without the DescribeConfigs permission Kafka's default is assumed;
 * a smaller real limit then shows up as a failing DLQ write, not as silence.
 */
export async function readTopicMessageLimit(
  admin: Pick<Admin, 'describeConfigs'>,
  topic: string,
): Promise<TopicMessageLimit> {
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] },
      ],
    });
    const entry = described.resources[0]?.configEntries.find(
      (e) => e.configName === 'max.message.bytes',
    );
    const bytes = Number(entry?.configValue);
    if (Number.isSafeInteger(bytes) && bytes > 0) return { bytes, source: 'broker' };
    return {
      bytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
      source: 'default',
      error: `max.message.bytes not reported (${String(entry?.configValue)})`,
    };
  } catch (err) {
    return { bytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES, source: 'default', error: errorMessage(err) };
  }
}
