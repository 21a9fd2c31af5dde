import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireJava, requireMaven } from './find-executable.ts';
import { isAlive, withExclusiveLock } from './exclusive-lock.ts';
import { isCompleteJarCache, writeJarCacheMarker } from './jar-cache-marker.ts';
import { runLoggedCommand } from './run-logged-command.ts';

export interface KafkaJars {
  /** Apache Kafka version pinned in pom.xml, e.g. "4.3.1". */
  version: string;
  /** A java -cp value: every jar of the broker, its tools and log4j2. */
  classpath: string;
  libDir: string;
}

const POM_FILE = fileURLToPath(new URL('./pom.xml', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAVEN_TIMEOUT_MS = 10 * 60_000;

/**
 * The jars of the Kafka version pinned in pom.xml, resolved by Maven into
 * `<cache>/kafka-<version>/lib` once and reused afterwards.
 * `<cache>` is `<repo>/.cache`, or $HANZO_KAFKA_CACHE when set.
 *
 * Concurrent callers (parallel test files) take turns through a lock file;
 * independently of it, Maven writes into a private staging directory that is
 * renamed into place (atomic), so lib/ is either absent or complete, and
 * jars.json, written last, is what marks it complete.
 */
export async function ensureKafkaJars(): Promise<KafkaJars> {
  const pom = await readFile(POM_FILE, 'utf8');
  const version = pinnedKafkaVersion(pom);
  const expected = { version, pomSha256: createHash('sha256').update(pom).digest('hex') };
  const versionDir = join(kafkaCacheRoot(), `kafka-${version}`);
  const libDir = join(versionDir, 'lib');
  const isComplete = (): Promise<boolean> => isCompleteJarCache(libDir, expected);
  if (!(await isComplete())) {
    await mkdir(versionDir, { recursive: true });
    // One resolver at a time; whoever waited finds the cache complete and skips Maven.
    await withExclusiveLock(join(versionDir, 'resolve.lock'), async () => {
      if (await isComplete()) return;
      await removeAbandonedDirs(versionDir);
      const staging = join(versionDir, `lib.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await resolveWithMaven(staging);
        const jars = (await readdir(staging)).filter((f) => f.endsWith('.jar')).sort();
        if (jars.length === 0) throw new Error(`Maven resolved no jars from ${POM_FILE}`);
        await writeJarCacheMarker(staging, { ...expected, jars });
        await publish(staging, libDir, isComplete);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    });
  }
  return { version, classpath: join(libDir, '*'), libDir };
}

export function kafkaCacheRoot(): string {
  const fromEnv = process.env['HANZO_KAFKA_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(REPO_ROOT, '.cache');
}

export function pinnedKafkaVersion(pomXml: string): string {
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pomXml);
  if (match?.[1] === undefined) throw new Error(`no <kafka.version> property in ${POM_FILE}`);
  return match[1];
}

async function resolveWithMaven(outputDir: string): Promise<void> {
  requireJava(); // Maven itself runs on it; say so before Maven prints something vaguer
  const mvn = requireMaven();
  const logFile = `${outputDir}.log`;
  await runLoggedCommand(
    mvn,
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      POM_FILE,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${outputDir}`,
      '-DincludeScope=runtime',
    ],
    { name: 'maven (resolving the Kafka jars)', logFile, timeoutMs: MAVEN_TIMEOUT_MS },
  );
  await rm(logFile, { force: true }); // kept only when Maven failed, for the user to read
}

/** Moves a complete staging directory to libDir unless another process got there first. */
async function publish(
  staging: string,
  libDir: string,
  isComplete: () => Promise<boolean>,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await rename(staging, libDir);
      return;
    } catch (error) {
      if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
    }
    if (await isComplete()) return; // a concurrent resolver won the race: use its copy
    // An outdated or broken cache: move it aside atomically, then delete it.
    const aside = `${libDir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(libDir, aside);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    await rm(aside, { recursive: true, force: true });
  }
  throw new Error(`could not publish the Kafka jars to ${libDir}`);
}

/** Staging directories left behind by resolvers that were killed. */
async function removeAbandonedDirs(versionDir: string): Promise<void> {
  for (const entry of await readdir(versionDir)) {
    const owner = /^lib\.(?:tmp|stale)-(\d+)-/.exec(entry)?.[1];
    if (owner !== undefined && !isAlive(Number(owner))) {
      await rm(join(versionDir, entry), { recursive: true, force: true });
    }
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
