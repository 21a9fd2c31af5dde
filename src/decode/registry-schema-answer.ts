import avro from 'avsc';
import { errorMessage } from '../errors.ts';
import { deadLetter, type Outcome } from './outcome.ts';
import type { RegistryAnswer } from './schema-registry-client.ts';

type AvroType = ReturnType<typeof avro.Type.forSchema>;

/**
 * A registry's `{"schema": "...", "schemaType": ...}` for `id` → the writer schema, or the
 * dead-letter reason every message written with `id` gets. Pure: the registry has already
 * answered, and whatever it said about this id is a fact about the id, not an outage.
 */
export function writerFromRegistryAnswer<W>(
  id: number,
  answer: Extract<RegistryAnswer, { found: true }>,
  asWriter: (type: AvroType) => Outcome<W>,
): Outcome<W> {
  if (answer.bodyError !== undefined) {
    return deadLetter('invalid_schema', `schema id ${id}: registry ${answer.bodyError}`);
  }
  const body = answer.body;
  if (body === null || typeof body !== 'object') {
    return deadLetter('invalid_schema', `schema id ${id}: registry answer is not an object`);
  }
  const { schema, schemaType } = body as { schema?: unknown; schemaType?: unknown };
  // Confluent omits schemaType for Avro (the original and default type).
  if (schemaType !== undefined && schemaType !== 'AVRO') {
    return deadLetter(
      'unsupported_schema_type',
      `schema id ${id} is a ${typeof schemaType === 'string' ? schemaType : JSON.stringify(schemaType)} schema; only Avro is decoded`,
    );
  }
  if (typeof schema !== 'string') {
    return deadLetter('invalid_schema', `schema id ${id}: registry answer has no schema text`);
  }
  let json: unknown;
  try {
    json = JSON.parse(schema);
  } catch (err) {
    return deadLetter('invalid_schema', `schema id ${id} is not valid JSON: ${errorMessage(err)}`);
  }
  let type: AvroType;
  try {
    type = avro.Type.forSchema(json as avro.Schema);
  } catch (err) {
    return deadLetter(
      'invalid_schema',
      `schema id ${id} is not a valid Avro schema: ${errorMessage(err)}`,
    );
  }
  const writer = asWriter(type);
  if (writer.ok) return writer;
  return deadLetter(writer.deadLetter.reason, `schema id ${id}: ${writer.deadLetter.message}`);
}
