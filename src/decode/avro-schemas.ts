import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { IngestError, errorMessage } from '../errors.ts';
import { hasRepeats, zeroWidthRepeat } from './avro-repeats.ts';
import { deadLetter, ok, type DeadLetter, type Outcome } from './outcome.ts';
import { writerFromRegistryAnswer } from './registry-schema-answer.ts';
import { SchemaRegistryClient, type RegistryAuth } from './schema-registry-client.ts';

export type AvroType = ReturnType<typeof avro.Type.forSchema>;

/** A writer schema and the resolver that reads it into our reader schema. */
export interface WriterSchema {
  readonly type: AvroType;
  readonly resolver: ReturnType<AvroType['createResolver']> | undefined;
  /** Has arrays or maps: payloads get their block counts checked before avsc reads them. */
  readonly repeats: boolean;
}

export interface AvroSchemaOptions {
  readonly readerSchemaFile: string;
  /** Confluent schema id → .avsc file. */
  readonly schemaIds: Readonly<Record<string, string>>;
  readonly registryUrl?: string | undefined;
  readonly registryAuth?: RegistryAuth;
  readonly fetchImpl?: typeof fetch;
}

/**
 * Ids the registry ruled out are remembered so their messages do not each cost a request;
 * the cap keeps a stream of random ids (garbage after a magic byte 0) from growing the map.
 */
const MAX_REJECTED_IDS = 10_000;

/**
 * The reader schema (schemas/avro/event.avsc) and the writer schemas known by id,
 * from local files or, for ids not mapped locally, from a schema registry.
 */
export class AvroSchemas {
  readonly reader: AvroType;
  /** The reader schema as the writer of plain (unframed) Avro messages. */
  readonly plainWriter: WriterSchema;
  readonly registry: SchemaRegistryClient | undefined;
  readonly #byId = new Map<number, WriterSchema>();
  /** Ids whose messages are dead letters, with the reason (insertion order = age). */
  readonly #rejected = new Map<number, DeadLetter>();
  readonly #inFlight = new Map<number, Promise<void>>();

  constructor(options: AvroSchemaOptions) {
    this.reader = parseSchemaFile(options.readerSchemaFile);
    const plain = writerSchemaFor(this.reader, this.reader);
    if (!plain.ok) {
      throw new IngestError(
        `Avro schema ${options.readerSchemaFile}: ${plain.deadLetter.message}`,
        { retriable: false },
      );
    }
    this.plainWriter = plain.value;
    for (const [id, file] of Object.entries(options.schemaIds)) {
      const writer = writerSchemaFor(this.reader, parseSchemaFile(file));
      if (!writer.ok) {
        throw new IngestError(`Avro schema ${file} (id ${id}): ${writer.deadLetter.message}`, {
          retriable: false,
        });
      }
      this.#byId.set(Number(id), writer.value);
    }
    this.registry =
      options.registryUrl === undefined
        ? undefined
        : new SchemaRegistryClient(
            options.registryUrl,
            options.registryAuth ?? { kind: 'none' },
            options.fetchImpl,
          );
  }

  /** The writer schema of `id`, or why messages written with it are dead letters. */
  writer(id: number): Outcome<WriterSchema> {
    const known = this.#byId.get(id);
    if (known !== undefined) return ok(known);
    const rejected = this.#rejected.get(id);
    if (rejected !== undefined) return { ok: false, deadLetter: rejected };
    return deadLetter('unknown_schema_id', `unknown Avro schema id ${id}`);
  }

  /** True when `id` is neither known nor ruled out, and a registry could tell. */
  needsLookup(id: number): boolean {
    return this.registry !== undefined && !this.#byId.has(id) && !this.#rejected.has(id);
  }

  /**
   * Fetches schema `id` from the registry. Whatever the answer says (404, not Avro, not a
   * schema, not readable into ours) settles the id: its messages become dead letters with
   * that reason. Only a registry that cannot answer throws (SchemaRegistryError, retriable).
   */
  lookup(id: number): Promise<void> {
    const pending = this.#inFlight.get(id);
    if (pending !== undefined) return pending;
    const started = this.#fetchAndSettle(id).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, started);
    return started;
  }

  async #fetchAndSettle(id: number): Promise<void> {
    if (this.registry === undefined || !this.needsLookup(id)) return;
    const answer = await this.registry.fetchSchema(id);
    const writer = answer.found
      ? writerFromRegistryAnswer(id, answer, (type) => writerSchemaFor(this.reader, type))
      : deadLetter<WriterSchema>(
          'unknown_schema_id',
          `unknown Avro schema id ${id} (registry: 404)`,
        );
    if (writer.ok) {
      this.#byId.set(id, writer.value);
      return;
    }
    if (this.#rejected.size >= MAX_REJECTED_IDS) {
      const oldest = this.#rejected.keys().next();
      if (oldest.done !== true) this.#rejected.delete(oldest.value);
    }
    this.#rejected.set(id, writer.deadLetter);
  }
}

/**
 * `type` as a writer of `reader`'s data; `invalid_schema` when it repeats zero-byte items
 * (see avro-repeats.ts), `incompatible_schema` when Avro cannot resolve it.
 */
function writerSchemaFor(reader: AvroType, type: AvroType): Outcome<WriterSchema> {
  const zeroWidth = zeroWidthRepeat(type);
  if (zeroWidth !== undefined) {
    return deadLetter(
      'invalid_schema',
      `writer schema repeats items that take zero bytes (${zeroWidth}): a few bytes could ` +
        'claim billions of them, so it is refused',
    );
  }
  const repeats = hasRepeats(type);
  if (type.fingerprint().equals(reader.fingerprint())) {
    return ok({ type, resolver: undefined, repeats });
  }
  try {
    return ok({ type, resolver: reader.createResolver(type), repeats });
  } catch (err) {
    return deadLetter(
      'incompatible_schema',
      `writer schema cannot be read as the event schema: ${errorMessage(err)}`,
    );
  }
}

function parseSchemaFile(file: string): AvroType {
  try {
    return avro.Type.forSchema(JSON.parse(readFileSync(file, 'utf8')) as avro.Schema);
  } catch (err) {
    throw new IngestError(`cannot load Avro schema ${file}: ${errorMessage(err)}`, {
      retriable: false,
      cause: err,
    });
  }
}
