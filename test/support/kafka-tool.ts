import { spawn } from 'node:child_process';
import { requireJava } from '../stack/kafka/find-executable.ts';
import { ensureKafkaJars } from '../stack/kafka/kafka-jars.ts';

export interface KafkaToolRun {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of Apache Kafka's own command-line tools (a main class of the jars the local
 * broker runs from) with `stdin` fed in; rejects on a non-zero exit or after `timeoutMs`
 * (the JVM is killed), with its output in the message.
 */
export async function runKafkaTool(
  mainClass: string,
  args: readonly string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<KafkaToolRun> {
  const { classpath } = await ensureKafkaJars();
  const jvm = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:-UsePerfData', '-Dlog4j2.level=WARN'];
  const child = spawn(requireJava(), [...jvm, '-cp', classpath, mainClass, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // Ours to stop if the test process exits first.
  const killOnExit = (): boolean => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => {
    clearTimeout(timer);
    process.off('exit', killOnExit);
  });
  if (code !== 0) {
    const name = mainClass.split('.').pop() ?? mainClass;
    throw new Error(
      `${name} exited with ${code ?? `a signal (timeout ${timeoutMs} ms?)`}: ${stderr.slice(-3000)}`,
    );
  }
  return { stdout, stderr };
}
