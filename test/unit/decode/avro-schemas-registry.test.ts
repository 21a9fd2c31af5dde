import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import avro from 'avsc';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { AvroSchemas } from '../../../src/decode/avro-schemas.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import type { DeadLetterReason } from '../../../src/decode/outcome.ts';
import { SchemaRegistryError } from '../../../src/decode/schema-registry-client.ts';
import { awaitSchemaLookup } from '../../../src/worker/await-schema-lookup.ts';
import {
  basicAuth,
  startSchemaRegistry,
  type RegistryServer,
} from '../../support/schema-registry.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

const READER_FILE = 'schemas/avro/event.avsc';
const readerText = readFileSync(READER_FILE, 'utf8');
const reader = avro.Type.forSchema(JSON.parse(readerText) as avro.Schema);
const config: DecodeConfig = decodeConfig({
  avroSchemaFile: READER_FILE,
  avroSchemaIds: {},
  maxMessageBytes: 64 * 1024,
  maxPropertiesBytes: 8 * 1024,
  maxFutureSkewMs: 60 * 60 * 1000,
});
const context = { nowMs: Date.now(), ingestedAt: '2026-11-21 00:00:00.000' };
const record = {
  uuid: null,
  team_id: 7,
  event: '$pageview',
  distinct_id: 'd1',
  timestamp: Date.now(),
  session_id: null,
  properties: '{"a":1}',
  model: null,
  provider: null,
  tokens_prompt: null,
  tokens_completion: null,
  cost_usd: null,
  organization_id: null,
  project_id: null,
  api_key_id: null,
};
const framed = (id: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(id, 1);
  return Buffer.concat([header, payload]);
};
const good = reader.toBuffer(record);
/** The event schema plus a field `extra` of `type`, which our reader does not have. */
const withExtraField = (type: unknown) => {
  const schema = JSON.parse(readerText) as { fields: unknown[] };
  return { ...schema, fields: [...schema.fields, { name: 'extra', type }] };
};
/** A zig-zag varint, as Avro writes block counts. */
const varint = (n: number): Buffer => avro.Type.forSchema('long').toBuffer(n);

const ID = {
  avro: 10,
  protobuf: 11,
  jsonSchema: 12,
  notJson: 13,
  notAvro: 14,
  unresolvable: 15,
  answerNotJson: 16,
  explicitAvro: 17,
  serverError: 18,
  zeroWidthItems: 19,
  skippedLongs: 20,
  missing: 99,
};

let registry: RegistryServer;
before(async () => {
  registry = await startSchemaRegistry({
    schemas: {
      [ID.avro]: { schema: readerText },
      [ID.explicitAvro]: { schema: readerText, schemaType: 'AVRO' },
      [ID.protobuf]: { schema: 'syntax = "proto3"; message Event {}', schemaType: 'PROTOBUF' },
      [ID.jsonSchema]: { schema: '{"type":"object"}', schemaType: 'JSON' },
      [ID.notJson]: { schema: '{"type": "record", "name": ' },
      [ID.notAvro]: { schema: '{"type": "no-such-avro-type"}' },
      [ID.unresolvable]: {
        schema: JSON.stringify({
          type: 'record',
          name: 'Event',
          namespace: 'ai.hanzo.events',
          fields: [{ name: 'team_id', type: 'string' }],
        }),
      },
      [ID.answerNotJson]: { rawBody: '<html>proxy error</html>' },
      [ID.serverError]: { status: 500 },
      [ID.zeroWidthItems]: {
        schema: JSON.stringify(withExtraField({ type: 'array', items: 'null' })),
      },
      [ID.skippedLongs]: {
        schema: JSON.stringify(withExtraField({ type: 'array', items: 'long' })),
      },
    },
  });
});
after(() => registry.close());

function decoderWith(schemas: AvroSchemas): MessageDecoder {
  return new MessageDecoder(config, schemas);
}

async function decodeVia(schemas: AvroSchemas, value: Buffer) {
  const decoder = decoderWith(schemas);
  const id = decoder.pendingSchemaId(value);
  if (id !== undefined) await schemas.lookup(id);
  return decodeRow(
    decoder,
    { topic: 't', partition: 0, offset: '1', timestampMs: Date.now(), value },
    context,
  );
}

describe('schema registry: what an answer says about an id becomes a dead letter', () => {
  const cases: [string, number, DeadLetterReason, RegExp][] = [
    ['PROTOBUF schema', ID.protobuf, 'unsupported_schema_type', /PROTOBUF/],
    ['JSON Schema', ID.jsonSchema, 'unsupported_schema_type', /\bJSON\b/],
    ['schema text that is not JSON', ID.notJson, 'invalid_schema', /not valid JSON/],
    ['JSON that is not an Avro schema', ID.notAvro, 'invalid_schema', /not a valid Avro schema/],
    ['writer schema not resolvable into ours', ID.unresolvable, 'incompatible_schema', /15/],
    ['registry answer that is not JSON', ID.answerNotJson, 'invalid_schema', /not JSON/],
    ['id the registry does not know (404)', ID.missing, 'unknown_schema_id', /99/],
  ];
  for (const [name, id, reason, message] of cases) {
    test(name, async () => {
      const schemas = new AvroSchemas({
        readerSchemaFile: READER_FILE,
        schemaIds: {},
        registryUrl: registry.url,
      });
      const outcome = await decodeVia(schemas, framed(id, good));
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok);
      assert.equal(outcome.deadLetter.reason, reason);
      assert.match(outcome.deadLetter.message, message);
      // Settled: the next message with this id costs no request.
      const before = registry.requests.length;
      assert.equal(schemas.needsLookup(id), false);
      await decodeVia(schemas, framed(id, good));
      assert.equal(registry.requests.length, before);
    });
  }

  test('an Avro schema (schemaType absent or AVRO) decodes', async () => {
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: registry.url,
    });
    for (const id of [ID.avro, ID.explicitAvro]) {
      const outcome = await decodeVia(schemas, framed(id, good));
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.deadLetter.message);
      assert.equal(outcome.value.team_id, 7);
    }
  });

  test('bytes the schema cannot read: truncated, trailing bytes, another schema', async () => {
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: registry.url,
    });
    const unreadable = [
      good.subarray(0, good.length - 3),
      Buffer.concat([good, Buffer.from([1, 2, 3])]),
      Buffer.from('{"event":"json, not avro"}'),
    ];
    for (const payload of unreadable) {
      const outcome = await decodeVia(schemas, framed(ID.avro, payload));
      assert.ok(!outcome.ok, `decoded ${payload.toString('hex')}`);
      assert.equal(outcome.deadLetter.reason, 'invalid_avro');
    }
  });
});

describe('schema registry: repeated items that cost no bytes', () => {
  test('a writer schema with an array of zero-byte items is refused before any decode', async () => {
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: registry.url,
    });
    // 10 bytes: the frame, then an `extra` of 2^31-1 nulls (read in full by avsc, the
    // remaining fields never reached). Decoded, that loops two billion times.
    const crafted = framed(ID.zeroWidthItems, varint(2 ** 31 - 1));
    assert.equal(crafted.length, 10);
    const outcome = await decodeVia(schemas, crafted);
    assert.ok(!outcome.ok);
    assert.equal(outcome.deadLetter.reason, 'invalid_schema');
    assert.match(
      outcome.deadLetter.message,
      /schema id 19: .*zero bytes \(\$\.extra is an array of null\)/,
    );
    // Settled as refused: no message with this id ever reaches avsc.
    assert.equal(schemas.needsLookup(ID.zeroWidthItems), false);
    assert.equal(schemas.writer(ID.zeroWidthItems).ok, false);
  });

  test('a local schema file with zero-byte items stops start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zero-width-'));
    try {
      const file = join(dir, 'nulls.avsc');
      writeFileSync(file, JSON.stringify(withExtraField({ type: 'array', items: 'null' })));
      assert.throws(
        () => new AvroSchemas({ readerSchemaFile: READER_FILE, schemaIds: { '3': file } }),
        /nulls\.avsc \(id 3\).*zero bytes/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a huge block count of real items is an invalid_avro dead letter at once', async () => {
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: registry.url,
    });
    // A good event whose skipped `extra` claims 2^32-1 longs with 1 byte left.
    const crafted = framed(ID.skippedLongs, Buffer.concat([good, varint(2 ** 32 - 1), varint(0)]));
    const outcome = await decodeVia(schemas, crafted);
    assert.ok(!outcome.ok);
    assert.equal(outcome.deadLetter.reason, 'invalid_avro');
    assert.match(outcome.deadLetter.message, /block claims 4294967295 items with 1 bytes left/);
    // The same schema still reads honest messages, `extra` skipped.
    const honest = framed(
      ID.skippedLongs,
      Buffer.concat([good, varint(2), varint(5), varint(6), varint(0)]),
    );
    const decoded = await decodeVia(schemas, honest);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.deadLetter.message);
    assert.equal(decoded.value.team_id, 7);
  });
});

describe('schema registry: failures to answer are errors, retried, never dead letters', () => {
  test('a 500 is a retriable SchemaRegistryError and leaves the id open', async () => {
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: registry.url,
    });
    await assert.rejects(schemas.lookup(ID.serverError), (err: unknown) => {
      assert.ok(err instanceof SchemaRegistryError);
      assert.equal(err.kind, 'http_error');
      assert.equal(err.retriable, true);
      return true;
    });
    assert.equal(schemas.needsLookup(ID.serverError), true);
  });
});

describe('schema registry authentication', () => {
  const USER = 'sr-user';
  const PASSWORD = 'sr-pass-8c1d-marker';
  const TOKEN = 'sr-token-44aa-marker';
  let secured: RegistryServer;
  before(async () => {
    secured = await startSchemaRegistry({
      schemas: { [ID.avro]: { schema: readerText } },
      requireAuthorization: basicAuth(USER, PASSWORD),
    });
  });
  after(() => secured.close());

  const lookupOk = async (schemas: AvroSchemas): Promise<void> => {
    const outcome = await decodeVia(schemas, framed(ID.avro, good));
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.deadLetter.message);
  };

  test('basic auth from settings', async () => {
    await lookupOk(
      new AvroSchemas({
        readerSchemaFile: READER_FILE,
        schemaIds: {},
        registryUrl: secured.url,
        registryAuth: { kind: 'basic', username: USER, password: PASSWORD },
      }),
    );
    assert.equal(secured.requests.at(-1)?.authorization, basicAuth(USER, PASSWORD));
  });

  test('credentials in the URL move into the Authorization header', async () => {
    const url = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${secured.port}`;
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: url,
    });
    assert.equal(schemas.registry?.displayUrl.includes(PASSWORD), false);
    await lookupOk(schemas);
  });

  test('bearer token', async () => {
    secured.requireAuthorization(`Bearer ${TOKEN}`);
    try {
      await lookupOk(
        new AvroSchemas({
          readerSchemaFile: READER_FILE,
          schemaIds: {},
          registryUrl: secured.url,
          registryAuth: { kind: 'bearer', token: TOKEN },
        }),
      );
      assert.equal(secured.requests.at(-1)?.authorization, `Bearer ${TOKEN}`);
    } finally {
      secured.requireAuthorization(basicAuth(USER, PASSWORD));
    }
  });

  test('401: an unauthorized error naming the registry, never the secret; id stays open', async () => {
    const url = `http://${USER}:wrong-${PASSWORD}@127.0.0.1:${secured.port}/`;
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: url,
    });
    await assert.rejects(schemas.lookup(ID.avro), (err: unknown) => {
      assert.ok(err instanceof SchemaRegistryError);
      assert.equal(err.kind, 'unauthorized');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${secured.port}.*401`));
      assert.ok(!err.message.includes(PASSWORD), err.message);
      assert.ok(!err.message.includes(USER), err.message);
      return true;
    });
    assert.equal(schemas.needsLookup(ID.avro), true);
  });

  test('the partition waits through 401s and goes on once the credentials are fixed', async () => {
    secured.requireAuthorization('Basic not-yet');
    const schemas = new AvroSchemas({
      readerSchemaFile: READER_FILE,
      schemaIds: {},
      registryUrl: secured.url,
      registryAuth: { kind: 'basic', username: USER, password: PASSWORD },
    });
    const retries: { kind: string; delayMs: number }[] = [];
    let heartbeats = 0;
    const settled = await awaitSchemaLookup(schemas, ID.avro, {
      keepWaiting: () => true,
      heartbeat: () => {
        heartbeats++;
        return Promise.resolve();
      },
      onRetry: (err, _attempt, delayMs) => {
        retries.push({ kind: (err as SchemaRegistryError).kind, delayMs });
        // The operator fixes the registry side after the second refusal.
        if (retries.length === 2) secured.requireAuthorization(basicAuth(USER, PASSWORD));
      },
    });
    assert.equal(settled, true);
    assert.deepEqual(
      retries.map((r) => r.kind),
      ['unauthorized', 'unauthorized'],
    );
    assert.ok(retries[1]!.delayMs > retries[0]!.delayMs, 'backoff grows');
    assert.ok(heartbeats > 0, 'membership kept alive while waiting');
    assert.equal(schemas.writer(ID.avro).ok, true);
  });

  test('a waiting partition gives up at once when told to stop (stop, rebalance)', async () => {
    secured.requireAuthorization('Basic never');
    try {
      const schemas = new AvroSchemas({
        readerSchemaFile: READER_FILE,
        schemaIds: {},
        registryUrl: secured.url,
      });
      let waiting = true;
      const settled = await awaitSchemaLookup(schemas, ID.avro, {
        keepWaiting: () => waiting,
        heartbeat: () => Promise.resolve(),
        onRetry: () => {
          waiting = false;
        },
      });
      assert.equal(settled, false);
      assert.equal(schemas.needsLookup(ID.avro), true, 'nothing settled, nothing dropped');
    } finally {
      secured.requireAuthorization(basicAuth(USER, PASSWORD));
    }
  });
});
