import type { DecodeConfig } from '../config/schema.ts';
import { AvroSchemas } from './avro-schemas.ts';
import { MessageDecoder } from './decode-message.ts';

/** The decoder for the configured wire format; Avro schemas load only when Avro can arrive. */
export function createDecoder(config: DecodeConfig): {
  decoder: MessageDecoder;
  schemas: AvroSchemas | undefined;
} {
  const schemas =
    config.format === 'json'
      ? undefined
      : new AvroSchemas({
          readerSchemaFile: config.avroSchemaFile,
          schemaIds: config.avroSchemaIds,
          registryUrl: config.schemaRegistryUrl,
        });
  return { decoder: new MessageDecoder(config, schemas), schemas };
}
