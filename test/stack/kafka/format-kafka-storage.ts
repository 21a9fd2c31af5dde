import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { newClusterId } from './kafka-config-files.ts';
import { runLoggedCommand } from './run-logged-command.ts';

export interface FormatKafkaStorageOptions {
  java: string;
  classpath: string;
  propertiesFile: string;
  log4jConfigFile: string;
  /** log.dirs of the node; formatted storage has a meta.properties there. */
  logDir: string;
  logFile: string;
}

/**
 * Formats the KRaft storage of a fresh node with a new cluster id; a node that
 * was formatted before (a restart, a reused data dir) keeps its data.
 * Returns whether it formatted.
 */
export async function formatKafkaStorageIfFresh(
  options: FormatKafkaStorageOptions,
): Promise<boolean> {
  if (await exists(join(options.logDir, 'meta.properties'))) return false;
  await runLoggedCommand(
    options.java,
    [
      // A short-lived tool: the C1 compiler alone starts fastest.
      '-XX:TieredStopAtLevel=1',
      '-XX:-UsePerfData',
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${options.log4jConfigFile}`,
      '-cp',
      options.classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      options.propertiesFile,
    ],
    { name: 'kafka storage format', logFile: options.logFile, timeoutMs: 120_000 },
  );
  return true;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
