import type { EnrichConfig } from '../config/schema.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { ignoreEnrichCounts, type EnrichCounters } from './enrich-counters.ts';
import { buildEnrichStage, type EnrichParts } from './enrich-event.ts';
import type { EnrichStage } from './enrich-stage.ts';
import { compileEventField } from './event-field.ts';
import { GeoDatabase } from './geo/geo-database.ts';
import { compileGeoipSwitch } from './geo/geoip-switch.ts';
import { GeoLookup } from './geo/geo-lookup.ts';
import { loadBundledPrices } from './llm/bundled-prices.ts';
import { createLlmCostEnricher } from './llm/llm-cost-enricher.ts';
import { PriceCatalog } from './llm/price-catalog.ts';
import { loadPricingOverrides } from './llm/pricing-overrides.ts';
import { createPseudonymizer } from './privacy/pseudonymize-id.ts';
import { compileContentScrubber } from './privacy/scrub-content.ts';
import { UserAgentLookup } from './user-agent/user-agent-lookup.ts';

/** The enrich stage built from configuration, with the files it watches. */
export interface Enrichment {
  readonly stage: EnrichStage;
  /** What is switched on and which data it uses (logged at start-up, printed by the dry run). */
  readonly summary: EnrichmentSummary;
  /** Stops watching geo database files. */
  close(): void;
}

export interface EnrichmentSummary {
  readonly geo:
    { path: string; layout: string; databaseType: string; buildEpoch: string }[] | 'off';
  readonly userAgent: 'on' | 'off';
  readonly llmCost: { bundled: string; overrides: number; recompute: boolean } | 'off';
  readonly scrubKeys: readonly string[];
  readonly keepRawIp: boolean;
  readonly geoipDisableFields: readonly string[];
  readonly pseudonymizeDistinctId: boolean;
}

export interface EnrichmentOptions {
  /** Where misses are counted (Prometheus counters in the worker). */
  readonly counters?: EnrichCounters;
  readonly logger?: Logger;
}

/**
 * Loads what enrichment needs — geo databases, the bundled prices and the overrides file —
 * and checks it: anything unusable stops start-up with the setting's name.
 */
export async function createEnrichment(
  config: Readonly<EnrichConfig>,
  options: EnrichmentOptions = {},
): Promise<Enrichment> {
  const log = options.logger?.child({ component: 'enrich' });
  const geoDatabases: GeoDatabase[] = config.geo.enabled
    ? await openGeoDatabases(config, log, () => geo)
    : [];
  const geo: GeoLookup | undefined = config.geo.enabled
    ? new GeoLookup(geoDatabases, config.geo.cacheSize)
    : undefined;

  let llmCost: EnrichParts['llmCost'];
  let llmSummary: EnrichmentSummary['llmCost'] = 'off';
  if (config.llmCost.enabled) {
    const overrides =
      config.llmCost.overridesFile === undefined
        ? []
        : loadPricingOverrides(config.llmCost.overridesFile);
    const bundled = await loadBundledPrices();
    const catalog = new PriceCatalog({
      bundledSource: bundled.source,
      overrides,
      cacheSize: config.llmCost.cacheSize,
    });
    llmCost = createLlmCostEnricher({ catalog, recompute: config.llmCost.recompute });
    llmSummary = {
      bundled: bundled.source,
      overrides: overrides.reduce((n, p) => n + p.models.length, 0),
      recompute: config.llmCost.recompute,
    };
  }

  const errors = new Map<string, number>();
  const stage = buildEnrichStage({
    counters: options.counters ?? ignoreEnrichCounts,
    geo,
    userAgent: config.userAgent.enabled
      ? new UserAgentLookup(config.userAgent.cacheSize)
      : undefined,
    llmCost,
    ipFields: config.ipFields.map(compileEventField),
    userAgentFields: config.userAgentFields.map(compileEventField),
    scrubContent: compileContentScrubber(config.scrubKeys),
    keepRawIp: config.keepRawIp,
    geoipDisabled:
      config.geoipDisableFields.length === 0
        ? undefined
        : compileGeoipSwitch(config.geoipDisableFields.map(compileEventField)),
    pseudonymize:
      config.distinctIdSecret === undefined
        ? undefined
        : createPseudonymizer(config.distinctIdSecret),
    onError: (step, err) => {
      // A bug, not bad input; logged at 1, 10, 100… occurrences per step to stay readable.
      const n = (errors.get(step) ?? 0) + 1;
      errors.set(step, n);
      if (Number.isInteger(Math.log10(n))) {
        log?.error({ step, occurrences: n, err: errorMessage(err) }, 'enricher failed');
      }
    },
  });

  const summary: EnrichmentSummary = {
    geo: config.geo.enabled
      ? geoDatabases.map((d) => ({
          path: d.path,
          layout: d.layout,
          databaseType: d.databaseType,
          buildEpoch: d.buildEpoch.toISOString(),
        }))
      : 'off',
    userAgent: config.userAgent.enabled ? 'on' : 'off',
    llmCost: llmSummary,
    scrubKeys: config.scrubKeys,
    keepRawIp: config.keepRawIp,
    geoipDisableFields: config.geoipDisableFields,
    pseudonymizeDistinctId: config.distinctIdSecret !== undefined,
  };
  log?.info(summary, 'enrichment ready');
  return {
    stage,
    summary,
    close: () => {
      for (const database of geoDatabases) database.close();
    },
  };
}

async function openGeoDatabases(
  config: Readonly<EnrichConfig>,
  log: Logger | undefined,
  lookup: () => GeoLookup | undefined,
): Promise<GeoDatabase[]> {
  const problems: string[] = [];
  const opened = await Promise.all(
    config.geo.databases.map((entry) =>
      GeoDatabase.open(entry, {
        watchIntervalMs: config.geo.watchIntervalMs,
        onReload: (database) => {
          lookup()?.clearCache();
          log?.info(
            { path: database.path, buildEpoch: database.buildEpoch.toISOString() },
            'geo database reloaded',
          );
        },
        onReloadError: (database, err) => {
          log?.warn(
            { path: database.path, err: errorMessage(err) },
            'geo database changed but cannot be loaded; keeping the previous one',
          );
        },
      }).catch((err: unknown) => {
        problems.push(
          `ENRICH_GEO_DATABASES (enrich.geo.databases): ${entry}: ${errorMessage(err)}`,
        );
        return undefined;
      }),
    ),
  );
  const databases = opened.filter((d): d is GeoDatabase => d !== undefined);
  if (problems.length > 0) {
    for (const database of databases) database.close();
    throw new ConfigError(problems);
  }
  return databases;
}
