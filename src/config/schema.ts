import { z } from 'zod';
import { limitRelationIssues } from './limit-relation-issues.ts';
import { registryAuthIssues } from './registry-auth-issues.ts';
import { ALL_SETTINGS } from './settings/all-settings.ts';
import { shapeOf } from './settings/setting.ts';
import { tlsSettingIssues } from './tls-setting-issues.ts';

/**
 * The worker's configuration, parsed once at start-up (see load-config.ts): the settings
 * declared in settings/*.ts, nested by section, unknown keys rejected (`z.strictObject`),
 * then the rules that relate settings to one another. Every component receives only its
 * own slice.
 */
export const configSchema = z.strictObject(shapeOf(ALL_SETTINGS)).superRefine((c, ctx) => {
  const issues = [
    ...limitRelationIssues(c),
    ...tlsSettingIssues(c),
    ...registryAuthIssues(c.decode),
  ];
  for (const issue of issues) ctx.addIssue({ code: 'custom', ...issue });
});

export type Config = z.infer<typeof configSchema>;
export type KafkaConfig = Config['kafka'];
export type ClickHouseConfig = Config['clickhouse'];
export type BatchConfig = Config['batch'];
export type InsertConfig = Config['insert'];
export type DecodeConfig = Config['decode'];
export type EnrichConfig = Config['enrich'];
export type ObserveConfig = Config['observe'];
export type KafkaEngineConfig = Config['kafkaEngine'];
export type TeamSettingsConfig = Config['teamSettings'];
