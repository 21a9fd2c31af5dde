import type { TopicDefinition } from '../topics/topic-definition.ts';

/**
 * What the topic files say against what kafka-engine mode is about to consume: a topic
 * whose messages are not JSON cannot be read by the views (an error), one declared to land
 * in another table is worth a warning. Topics without a file are not checked.
 */
export function checkTopicDefinitions(
  definitions: readonly TopicDefinition[],
  consumed: { topics: readonly string[]; table: string },
): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const topic of consumed.topics) {
    const def = definitions.find((d) => d.name === topic);
    if (def === undefined) continue;
    if (!def.message.formats.includes('json')) {
      errors.push(
        `topic ${topic}: its file declares ${def.message.formats.join(', ')} messages; kafka-engine mode reads JSON only`,
      );
    }
    if (def.table !== null && def.table !== consumed.table) {
      warnings.push(
        `topic ${topic}: its file says it lands in ${def.table}, this pipeline writes ${consumed.table}`,
      );
    }
  }
  return { errors, warnings };
}
