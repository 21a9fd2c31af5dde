import { ENV_SETTINGS, type EnvSetting } from '../../src/config/env-settings.ts';

/** Worker settings that turn enrichment on and off, for the on/off comparison. */
export interface EnrichmentSwitch {
  readonly on: Readonly<Record<string, string>>;
  readonly off: Readonly<Record<string, string>>;
}

/**
 * The enrichment section's on/off switches (boolean `enrich.*` settings whose variable
 * ends in `_ENABLED`): all true for "on", all false for "off". Undefined while the
 * configuration has no such switch, in which case the bench measures the worker as it is
 * (no enrichment) and says so.
 */
export function enrichmentSwitch(
  settings: readonly EnvSetting[] = ENV_SETTINGS,
): EnrichmentSwitch | undefined {
  const switches = settings.filter(
    (s) => s.path[0] === 'enrich' && s.kind === 'bool' && s.env.endsWith('_ENABLED'),
  );
  if (switches.length === 0) return undefined;
  return {
    on: Object.fromEntries(switches.map((s) => [s.env, 'true'])),
    off: Object.fromEntries(switches.map((s) => [s.env, 'false'])),
  };
}
