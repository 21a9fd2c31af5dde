import type { DecodeConfig } from '../config/schema.ts';
import { AvroSchemas } from './avro-schemas.ts';
import { MessageDecoder } from './decode-message.ts';
import type { RegistryAuth } from './schema-registry-client.ts';

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
          registryAuth: registryAuthOf(config),
        });
  return { decoder: new MessageDecoder(config, schemas), schemas };
}

/** Config validation (registry-auth-issues.ts) has ruled out two kinds at once. */
function registryAuthOf(config: DecodeConfig): RegistryAuth {
  if (config.schemaRegistryToken !== undefined) {
    return { kind: 'bearer', token: config.schemaRegistryToken };
  }
  if (config.schemaRegistryUsername !== undefined) {
    return {
      kind: 'basic',
      username: config.schemaRegistryUsername,
      password: config.schemaRegistryPassword ?? '',
    };
  }
  return { kind: 'none' };
}
