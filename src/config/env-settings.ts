import { ALL_SETTINGS } from './settings/all-settings.ts';
import { isGroup, type SettingKind, type Settings } from './settings/setting.ts';

export type { SettingKind } from './settings/setting.ts';

/**
 * One environment variable: its name, where it lands in the config, how its text is parsed,
 * and whether it is a secret. Derived from the declarations in settings/*.ts.
 */
export interface EnvSetting {
  readonly env: string;
  readonly path: readonly string[];
  readonly kind: SettingKind;
  readonly secret?: boolean;
  /** Also accept `<env>_FILE` naming a file that holds the value (mounted secrets). */
  readonly fromFile?: boolean;
  readonly doc: string;
}

/** Every variable the worker reads, in declaration order (the order of the reference). */
export const ENV_SETTINGS: readonly EnvSetting[] = envSettingsOf(ALL_SETTINGS, []);

function envSettingsOf(settings: Settings, parent: readonly string[]): EnvSetting[] {
  return Object.entries(settings).flatMap(([key, entry]): EnvSetting[] => {
    const path = [...parent, key];
    if (isGroup(entry)) return envSettingsOf(entry.settings, path);
    const { env, kind, doc } = entry;
    return [
      {
        env,
        path,
        kind,
        doc,
        ...(entry.secret ? { secret: true } : {}),
        ...(entry.fromFile ? { fromFile: true } : {}),
      },
    ];
  });
}

/** Prefixes we own: an unknown variable under them is a typo, and start-up stops. */
export const OWNED_ENV_PREFIXES = [
  'INGEST_',
  'KAFKA_',
  'CLICKHOUSE_',
  'BATCH_',
  'INSERT_',
  'DECODE_',
  'ENRICH_',
  'TEAM_SETTINGS_',
] as const;

/** Variables Kubernetes injects for Services (enableServiceLinks); never ours. */
export function isServiceLinkVariable(name: string): boolean {
  return /_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/.test(
    name,
  );
}

/** Variables that point the CLI at a config file, not settings themselves. */
export const CONFIG_FILE_ENV = 'INGEST_CONFIG_FILE';
