import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { UsageError, osErrorText } from '../errors.ts';
import type { Config } from '../config/schema.ts';
import { MessageDecoder } from '../decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../decode/event-row.ts';
import { createMessageSteps, runMessageSteps } from '../pipeline/message-steps.ts';
import { CountingEnrichCounters } from '../enrich/counting-enrich-counters.ts';
import { createEnrichment } from '../enrich/create-enrichment.ts';
import { createLogger } from '../log/logger.ts';

/** `_topic` of dry-run rows (a missing uuid is derived from it and the line number). */
export const DRY_RUN_TOPIC = 'dry-run';

export interface DryRunResult {
  readonly rows: number;
  readonly deadLetters: number;
}

/**
 * `hanzo-ingest enrich [file]`: events as JSON lines (a file, or stdin) → the rows the
 * worker would insert, as JSON lines on stdout; dead letters with their reasons, and a
 * closing summary of enrichment misses, as JSON lines on stderr. Same decode and enrich
 * code and configuration as `run`; no Kafka, no ClickHouse.
 */
export function registerEnrichCommand(program: Command): void {
  program
    .command('enrich')
    .description('dry run: JSON-lines events (file or stdin) → enriched rows on stdout')
    .argument('[file]', 'events file, one JSON event per line (default: stdin)')
    .option('--strict', 'exit with code 1 when any event is dead-lettered')
    .action(async (file: string | undefined, options: { strict?: boolean }, command: Command) => {
      const configFile = command.parent?.opts<{ config?: string }>().config;
      // Kafka is not used by the dry run.
      const config = loadConfig(
        configFile === undefined ? { kafkaUnused: true } : { kafkaUnused: true, configFile },
      );
      const input = file === undefined || file === '-' ? process.stdin : await openEvents(file);
      const result = await enrichLines(config, input, process.stdout, process.stderr);
      if (options.strict === true && result.deadLetters > 0) process.exitCode = 1;
    });
}

/**
 * Opens the events file before anything is read, so that a missing or unreadable file (or
 * a folder) is one line naming it, not an unhandled stream error with a stack trace.
 */
async function openEvents(file: string): Promise<Readable> {
  const cannotRead = (reason: string, cause?: unknown): UsageError =>
    new UsageError(`enrich: cannot read ${file}: ${reason}`, cause);
  const handle = await open(file, 'r').catch((err: unknown) => {
    throw cannotRead(osErrorText(err), err);
  });
  const stat = await handle.stat();
  if (!stat.isFile() && !stat.isFIFO() && !stat.isCharacterDevice()) {
    await handle.close();
    throw cannotRead(stat.isDirectory() ? 'EISDIR: is a directory' : 'not a regular file');
  }
  return handle.createReadStream();
}

/** The dry run itself, on any streams (tests call it directly too). */
export async function enrichLines(
  config: Readonly<Config>,
  input: Readable,
  out: Writable,
  err: Writable,
): Promise<DryRunResult> {
  const counters = new CountingEnrichCounters();
  const enrichment = await createEnrichment(
    { ...config.enrich, geo: { ...config.enrich.geo, watchIntervalMs: 0 } },
    { counters, logger: createLogger('warn', config.workerId, 'stderr') },
  );
  const decoder = new MessageDecoder({ ...config.decode, format: 'json' }, undefined);
  const steps = createMessageSteps(decoder, enrichment.stage);
  let lineNumber = 0;
  let rows = 0;
  let deadLetters = 0;
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      const now = Date.now();
      const outcome = runMessageSteps(
        steps,
        {
          topic: DRY_RUN_TOPIC,
          partition: 0,
          offset: String(lineNumber),
          timestampMs: now,
          value: Buffer.from(line, 'utf8'),
        },
        { nowMs: now, ingestedAt: toClickHouseDateTime64(now) },
      );
      if (outcome.ok) {
        rows++;
        await write(out, `${JSON.stringify(outcome.value.row)}\n`);
      } else {
        deadLetters++;
        const { reason, stage, message } = outcome.deadLetter;
        await write(
          err,
          `${JSON.stringify({ type: 'dead_letter', line: lineNumber, reason, stage, message })}\n`,
        );
      }
    }
  } finally {
    enrichment.close();
  }
  await write(
    err,
    `${JSON.stringify({ type: 'summary', rows, deadLetters, ...counters.toJSON() })}\n`,
  );
  return { rows, deadLetters };
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
