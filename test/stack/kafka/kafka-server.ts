import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../process/free-port.ts';
import { spawnManaged, type ManagedProcess } from '../process/managed-process.ts';
import type { KafkaService } from '../types.ts';
import { requireJava } from './find-executable.ts';
import { formatKafkaStorageIfFresh } from './format-kafka-storage.ts';
import { renderLog4j2Config, renderServerProperties } from './kafka-config-files.ts';
import { ensureKafkaJars } from './kafka-jars.ts';
import { firstErrors, portInUse } from './broker-log-diagnosis.ts';
import { describeLogTail, readLogSince } from './log-tail.ts';
import { waitForKafkaReady } from './wait-for-kafka-ready.ts';

export interface StartKafkaOptions {
  /** Holds server.properties, log4j2.xml, kafka.log and the data (kraft/). Created when missing. */
  dataDir: string;
  /** Client listener port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** KRaft controller listener port on 127.0.0.1; a free one when omitted. */
  controllerPort?: number;
  /** Maximum JVM heap in MiB (default 768). */
  heapMb?: number;
  /** The broker's log: log4j INFO plus the JVM's own output (default <dataDir>/kafka.log). */
  logFile?: string;
  /** Partitions of a topic created without a count (default 1). */
  numPartitions?: number;
  /** Time from spawn to ready before start fails (default 120 s). */
  readyTimeoutMs?: number;
}

/** A single-node KRaft broker+controller running as a child JVM of this process. */
export interface LocalKafka extends KafkaService {
  readonly dataDir: string;
  readonly logFile: string;
  /** The JVM's pid while it runs. */
  readonly pid: number | undefined;
}

const DEFAULT_HEAP_MB = 768;
const DEFAULT_READY_TIMEOUT_MS = 120_000;
/** A controlled shutdown of one node takes a second or two; past this it is hung. */
const STOP_GRACE_MS = 20_000;
/** Another process can take a port between freePort() and the JVM binding it. */
const PORT_CLASH_ATTEMPTS = 3;

/** portInUse: the port the JVM could not bind, when that is why it failed. */
type LaunchResult = { ok: true } | { ok: false; error: Error; portInUse: number | undefined };

/**
 * Starts a broker in dataDir and resolves once it is ready (see waitForKafkaReady).
 * A fresh dataDir is formatted; an existing one keeps its topics and offsets.
 * stop() and start() reuse the same ports and data, for fault-injection tests.
 */
export async function startKafka(options: StartKafkaOptions): Promise<LocalKafka> {
  const { version, classpath } = await ensureKafkaJars();
  const java = requireJava();
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const logFile = resolve(options.logFile ?? join(dataDir, 'kafka.log'));
  const propertiesFile = join(dataDir, 'server.properties');
  const log4jConfigFile = join(dataDir, 'log4j2.xml');
  const logDir = join(dataDir, 'kraft');
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  let { port, controllerPort } = await pickPorts(options);
  let child: ManagedProcess | undefined;

  async function launch(): Promise<LaunchResult> {
    const config = { port, controllerPort, logDir, numPartitions: options.numPartitions ?? 1 };
    await writeFile(propertiesFile, renderServerProperties(config));
    await writeFile(log4jConfigFile, renderLog4j2Config(logFile));
    await formatKafkaStorageIfFresh({
      java,
      classpath,
      propertiesFile,
      log4jConfigFile,
      logDir,
      logFile,
    });
    const logOffset = await sizeOf(logFile);
    const jvm = spawnManaged(
      java,
      [...jvmOptions(heapMb, log4jConfigFile), '-cp', classpath, 'kafka.Kafka', propertiesFile],
      { name: `kafka 127.0.0.1:${port}`, logFile, cwd: dataDir },
    );
    child = jvm;
    try {
      await waitForKafkaReady({
        brokers: [`127.0.0.1:${port}`],
        timeoutMs: readyTimeoutMs,
        exited: jvm.exited,
      });
      return { ok: true };
    } catch (error) {
      await jvm.stop(5_000);
      const reason = error instanceof Error ? error.message : String(error);
      const logSinceLaunch = await readLogSince(logFile, logOffset);
      const message = `Kafka ${version} on 127.0.0.1:${port} (data ${dataDir}) did not start: ${reason}\n${firstErrors(logSinceLaunch)}${await describeLogTail(logFile)}`;
      return {
        ok: false,
        error: new Error(message, { cause: error }),
        portInUse: portInUse(logSinceLaunch),
      };
    }
  }

  for (let attempt = 1; ; attempt++) {
    const result = await launch();
    if (result.ok) break;
    const picked = [
      options.port === undefined ? port : -1,
      options.controllerPort === undefined ? controllerPort : -1,
    ];
    const canRepick = result.portInUse !== undefined && picked.includes(result.portInUse);
    if (!canRepick || attempt >= PORT_CLASH_ATTEMPTS) throw result.error;
    ({ port, controllerPort } = await pickPorts(options));
  }

  // stop() and start() run one at a time, in call order, so a test can fire them without awaiting.
  let lifecycle: Promise<unknown> = Promise.resolve();
  function serialized(operation: () => Promise<void>): Promise<void> {
    const next = lifecycle.then(operation);
    lifecycle = next.catch(() => undefined);
    return next;
  }

  const brokers: readonly string[] = Object.freeze([`127.0.0.1:${port}`]);
  return {
    brokers,
    version,
    dataDir,
    logFile,
    get pid() {
      return child?.running === true ? child.pid : undefined;
    },
    stop: () =>
      serialized(async () => {
        await child?.stop(STOP_GRACE_MS);
      }),
    start: () =>
      serialized(async () => {
        if (child?.running === true) return;
        const result = await launch();
        if (!result.ok) throw result.error;
      }),
  };
}

async function pickPorts(
  options: StartKafkaOptions,
): Promise<{ port: number; controllerPort: number }> {
  if (options.port !== undefined && options.port === options.controllerPort) {
    throw new Error(`port and controllerPort must differ (both ${options.port})`);
  }
  const port = options.port ?? (await freePort());
  let controllerPort = options.controllerPort ?? (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  return { port, controllerPort };
}

function jvmOptions(heapMb: number, log4jConfigFile: string): string[] {
  return [
    `-Xms${Math.min(256, heapMb)}m`,
    `-Xmx${heapMb}m`,
    // Kafka's own GC settings (kafka-run-class.sh).
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    // Exit rather than limp on: a test then fails on a dead broker, not on timeouts.
    '-XX:+ExitOnOutOfMemoryError',
    // Start faster: shared JDK class data, no hsperfdata file in /tmp.
    '-Xshare:auto',
    '-XX:-UsePerfData',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfigFile}`,
  ];
}

async function sizeOf(file: string): Promise<number> {
  return stat(file).then(
    (s) => s.size,
    () => 0,
  );
}
