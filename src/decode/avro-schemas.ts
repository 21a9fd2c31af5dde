import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { IngestError, errorMessage } from '../errors.ts';

type AvroType = ReturnType<typeof avro.Type.forSchema>;

/** A writer schema and the resolver that reads it into our reader schema. */
export interface WriterSchema {
  readonly type: AvroType;
  readonly resolver: ReturnType<AvroType['createResolver']> | undefined;
}

export interface AvroSchemaOptions {
  readonly readerSchemaFile: string;
  /** Confluent schema id → .avsc file. */
  readonly schemaIds: Readonly<Record<string, string>>;
  readonly registryUrl?: string | undefined;
  readonly fetchImpl?: typeof fetch;
}

/**
 * The reader schema (schemas/avro/event.avsc) and the writer schemas known by id,
 * from local files or, for ids not mapped locally, from a schema registry.
 */
export class AvroSchemas {
  readonly reader: AvroType;
  readonly #byId = new Map<number, WriterSchema>();
  readonly #unknownIds = new Set<number>();
  readonly #registryUrl: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: AvroSchemaOptions) {
    this.reader = parseSchemaFile(options.readerSchemaFile);
    for (const [id, file] of Object.entries(options.schemaIds)) {
      this.#byId.set(Number(id), this.#writer(parseSchemaFile(file)));
    }
    this.#registryUrl = options.registryUrl;
    this.#fetch = options.fetchImpl ?? fetch;
  }

  writer(id: number): WriterSchema | undefined {
    return this.#byId.get(id);
  }

  /** True when `id` is neither known nor ruled out, and a registry could tell. */
  needsLookup(id: number): boolean {
    return this.#registryUrl !== undefined && !this.#byId.has(id) && !this.#unknownIds.has(id);
  }

  /**
   * Fetches schema `id` from the registry. A 404 marks the id unknown (its messages are
   * dead-lettered); any other failure is an infrastructure error and is retried.
   */
  async lookup(id: number): Promise<void> {
    if (this.#registryUrl === undefined) return;
    const url = new URL(
      `schemas/ids/${id}`,
      this.#registryUrl.endsWith('/') ? this.#registryUrl : `${this.#registryUrl}/`,
    );
    let response: Response;
    try {
      response = await this.#fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new IngestError(`schema registry unreachable: ${errorMessage(err)}`, {
        retriable: true,
        cause: err,
      });
    }
    if (response.status === 404) {
      this.#unknownIds.add(id);
      return;
    }
    if (!response.ok) {
      throw new IngestError(`schema registry answered ${response.status} for id ${id}`, {
        retriable: true,
      });
    }
    const body = (await response.json()) as { schema?: unknown };
    if (typeof body.schema !== 'string') {
      this.#unknownIds.add(id);
      return;
    }
    this.#byId.set(id, this.#writer(avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema)));
  }

  #writer(type: AvroType): WriterSchema {
    const same = type.fingerprint().equals(this.reader.fingerprint());
    return { type, resolver: same ? undefined : this.reader.createResolver(type) };
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
