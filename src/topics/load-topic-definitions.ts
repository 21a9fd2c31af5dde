import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, errorMessage } from '../errors.ts';
import { topicDefinitionSchema, type TopicDefinition } from './topic-definition.ts';

/** Where the topic files live unless told otherwise (relative to the working directory). */
export const DEFAULT_TOPICS_DIR = 'topics';

export interface TopicDefinitions {
  /** Sorted by name. */
  readonly topics: readonly TopicDefinition[];
  /** The folder the files came from (absolute). */
  readonly dir: string;
}

/**
 * Reads and validates every `*.json` file in `dir`: each against the schema, then across
 * files (unique names, file named after its topic, dead-letter topics defined, schema files
 * present, a dead-letter topic able to hold what its source topic holds). Every problem is
 * reported at once, by file and field.
 */
export function loadTopicDefinitions(dir: string = DEFAULT_TOPICS_DIR): TopicDefinitions {
  const root = resolve(dir);
  const problems: string[] = [];
  let files: string[];
  try {
    files = readdirSync(root)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new ConfigError([`topics folder ${root}: ${errorMessage(err)}`]);
  }
  if (files.length === 0) throw new ConfigError([`topics folder ${root}: no *.json files`]);

  const topics: TopicDefinition[] = [];
  for (const file of files) {
    const shown = join(basename(root), file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(root, file), 'utf8'));
    } catch (err) {
      problems.push(`${shown}: ${errorMessage(err)}`);
      continue;
    }
    const parsed = topicDefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join('.');
        problems.push(`${shown}: ${path === '' ? '' : `${path}: `}${issue.message}`);
      }
      continue;
    }
    const topic = parsed.data;
    if (file !== `${topic.name}.json`) {
      problems.push(`${shown}: holds topic "${topic.name}"; name the file ${topic.name}.json`);
    }
    const schema = topic.message.schema;
    if (schema !== null && !existsSync(resolve(dirname(root), schema))) {
      problems.push(`${shown}: message.schema: ${schema} does not exist`);
    }
    topics.push(topic);
  }
  problems.push(...crossFileProblems(topics));
  if (problems.length > 0) throw new ConfigError(problems);
  topics.sort((a, b) => a.name.localeCompare(b.name));
  return { topics, dir: root };
}

function crossFileProblems(topics: readonly TopicDefinition[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, TopicDefinition>();
  for (const t of topics) {
    if (byName.has(t.name)) problems.push(`topic ${t.name}: defined twice`);
    byName.set(t.name, t);
  }
  for (const t of topics) {
    if (t.deadLetterTopic === null) continue;
    const dlq = byName.get(t.deadLetterTopic);
    if (dlq === undefined) {
      problems.push(`topic ${t.name}: deadLetterTopic ${t.deadLetterTopic} has no topic file`);
      continue;
    }
    if (!dlq.message.formats.includes('dead-letter')) {
      problems.push(
        `topic ${t.name}: deadLetterTopic ${dlq.name} must declare message.formats ["dead-letter"]`,
      );
    }
    // A dead letter is the original message plus reason headers: it must fit.
    const source = Number(t.config['max.message.bytes'] ?? Number.NaN);
    const target = Number(dlq.config['max.message.bytes'] ?? Number.NaN);
    if (Number.isFinite(source) && Number.isFinite(target) && target <= source) {
      problems.push(
        `topic ${dlq.name}: max.message.bytes (${target}) must exceed ${t.name}'s (${source}): dead letters carry the original message plus headers`,
      );
    }
  }
  return problems;
}
