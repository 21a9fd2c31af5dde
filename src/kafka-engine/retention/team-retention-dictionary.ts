import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { TeamSettingsConfig } from '../../config/schema.ts';
import {
  createTeamRetention,
  type TeamRetention,
} from '../../enrich/retention/create-team-retention.ts';
import { readTeamSettings } from '../../enrich/retention/read-team-settings.ts';
import type { Logger } from '../../log/logger.ts';
import { onClusterClause } from '../../schema/engine-clause.ts';
import type { Registry } from 'prom-client';
import {
  dataTableSql,
  dictionarySql,
  type DictionarySourceAuth,
  type DictionaryShape,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';

/**
 * Kafka-engine mode's per-team retention: a table of (team_id, retention_months) and a
 * HASHED dictionary over it, which the rows view reads with dictGetOrDefault (12 for teams
 * absent). This process refreshes the table from team_settings, as the worker refreshes its
 * cache: the same query, the same checks, the same failure behaviour.
 *
 * Not a PostgreSQL-source dictionary, though ClickHouse (chDB 26.7 too) can read one: a
 * PostgreSQL dictionary that has never loaded fails every dictGet, so a ClickHouse restart
 * while PostgreSQL is down would fail the views and stall the Kafka engine. A table
 * survives restarts and keeps the last settings whatever PostgreSQL does (docs/retention.md).
 */
export function teamRetentionShape(objects: KafkaEngineObjects): DictionaryShape {
  return {
    table: objects.retention.table,
    dictionary: objects.retention.dictionary,
    key: [['team_id', 'UInt64']],
    attributes: [['retention_months', 'UInt16']],
  };
}

/** The table and the dictionary, before the views that read them (rows are kept). */
export async function applyTeamRetentionDictionary(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  auth: DictionarySourceAuth,
): Promise<void> {
  const shape = teamRetentionShape(objects);
  await client.command({ query: dataTableSql(objects, shape) });
  await client.command({ query: dictionarySql(objects, shape, auth, 'HASHED()') });
  await reload(client, objects);
}

/**
 * Reads team_settings every refreshMs and writes what changed into the dictionary's table
 * (then reloads it). A failed read or write keeps the table as it was.
 */
export async function syncTeamRetention(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  config: Readonly<TeamSettingsConfig>,
  options: { logger: Logger; registry: Registry },
): Promise<TeamRetention | undefined> {
  const shape = teamRetentionShape(objects);
  let written: string | undefined;
  return createTeamRetention(config, {
    ...options,
    read: async (source) => {
      const parsed = await readTeamSettings(source);
      const rows = [...parsed.retention].map(([team_id, retention_months]) => ({
        team_id,
        retention_months,
      }));
      const digest = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
      if (digest !== written) {
        // The dictionary keeps serving its loaded copy (LIFETIME 0) until the reload after.
        const on = onClusterClause(objects.target);
        await client.command({ query: `TRUNCATE TABLE ${shape.table}${on}` });
        if (rows.length > 0) {
          await client.insert({ table: shape.table, values: rows, format: 'JSONEachRow' });
        }
        await reload(client, objects);
        written = digest;
      }
      return parsed;
    },
  });
}

async function reload(client: ClickHouseClient, objects: KafkaEngineObjects): Promise<void> {
  await client.command({
    query: `SYSTEM RELOAD DICTIONARY ${objects.retention.dictionary}${onClusterClause(objects.target)}`,
  });
}
