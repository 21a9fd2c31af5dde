import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable on PATH, or undefined. */
export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The java launcher: $JAVA_HOME/bin/java when set (as Kafka's own scripts do), else PATH. */
export function requireJava(): string {
  const javaHome = process.env['JAVA_HOME'];
  if (javaHome !== undefined && javaHome !== '') {
    const fromHome = join(javaHome, 'bin', 'java');
    if (isExecutableFile(fromHome)) return fromHome;
  }
  const onPath = findExecutable('java');
  if (onPath !== undefined) return onPath;
  throw new Error(
    'java not found (neither $JAVA_HOME/bin/java nor java on PATH): the local Kafka broker needs a Java 17+ runtime, e.g. `apt-get install openjdk-17-jre-headless`',
  );
}

/** Maven, which resolves the pinned Kafka jars from Maven Central. */
export function requireMaven(): string {
  const onPath = findExecutable('mvn');
  if (onPath !== undefined) return onPath;
  throw new Error(
    'mvn not found on PATH: Maven resolves the local Kafka broker jars from Maven Central (`apt-get install maven`), or point HANZO_KAFKA_CACHE at an already populated cache',
  );
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
