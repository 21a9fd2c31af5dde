import { readFileSync } from 'node:fs';
import { pinnedKafkaVersion } from './kafka/kafka-jars.ts';

// The Kafka and ClickHouse versions the tests run, named in one place: the local stack runs
// them, and compose.yml / compose.cluster.yml / the container stack pin the same (static
// tests compare). "The same" for ClickHouse is the release (major.minor): the tests run
// chDB's embedded ClickHouse, whose patch builds are chDB's own.

/** Apache Kafka: `kafka.version` of test/stack/kafka/pom.xml (the broker jars the stack runs). */
export function testedKafkaVersion(): string {
  return pinnedKafkaVersion(readFileSync(new URL('./kafka/pom.xml', import.meta.url), 'utf8'));
}

/**
 * ClickHouse: the release of the engine chDB embeds, from the locked chdb package's
 * per-platform engine packages (`@chdb/lib-*` 26.7.3-stable.1 embeds ClickHouse 26.7).
 */
export function testedClickHouseVersion(
  lock: string = readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'),
): string {
  const packages = (JSON.parse(lock) as { packages?: Record<string, LockEntry> }).packages ?? {};
  const engines = Object.values(packages['node_modules/chdb']?.optionalDependencies ?? {});
  const releases = new Set(engines.map((v) => /^(\d+\.\d+)\./.exec(v)?.[1]));
  const [release] = releases;
  if (releases.size !== 1 || release === undefined) {
    throw new Error(
      `package-lock.json: cannot tell chdb's ClickHouse release from ${engines.join(', ') || 'no @chdb/lib-* entry'}`,
    );
  }
  return release;
}

interface LockEntry {
  readonly optionalDependencies?: Record<string, string>;
}
