import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';

export interface BundledPrices {
  readonly providers: readonly Provider[];
  /** The pinned @pydantic/genai-prices version whose data this is. */
  readonly version: string;
  /** `cost_source` of costs priced from it: `bundled@<version>`. */
  readonly source: string;
}

let loaded: Promise<BundledPrices> | undefined;

/**
 * The pricing data bundled in @pydantic/genai-prices. This project never calls the
 * library's `updatePrices` (network auto-update), so what `waitForUpdate()` resolves to is
 * the data shipped in the pinned package: prices change only with a package upgrade.
 */
export function loadBundledPrices(): Promise<BundledPrices> {
  loaded ??= waitForUpdate().then((providers) => {
    if (providers === null) throw new Error('genai-prices returned no bundled pricing data');
    const version = genaiPricesVersion();
    return { providers, version, source: `bundled@${version}` };
  });
  return loaded;
}

function genaiPricesVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  if (typeof pkg.version !== 'string') throw new Error('@pydantic/genai-prices has no version');
  return pkg.version;
}
