import { spawnManaged } from '../process/managed-process.ts';
import { describeLogTail } from './log-tail.ts';

export interface RunLoggedCommandOptions {
  /** Short name for error messages, e.g. "maven". */
  name: string;
  /** Receives the command's stdout and stderr (appended). */
  logFile: string;
  timeoutMs: number;
  cwd?: string;
}

/**
 * Runs a short-lived tool (Maven, the Kafka storage formatter) to completion.
 * It goes through spawnManaged so that it dies with us like the broker does;
 * a non-zero exit or a timeout throws with the tail of its output.
 */
export async function runLoggedCommand(
  command: string,
  args: readonly string[],
  options: RunLoggedCommandOptions,
): Promise<void> {
  const child = spawnManaged(command, args, {
    name: options.name,
    logFile: options.logFile,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void child.stop(5_000);
  }, options.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code === 0 && !timedOut) return;
  const why = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : `exited with ${code ?? 'a signal'}`;
  throw new Error(
    `${options.name} failed (${why}): ${command} ${args.join(' ')}\n${await describeLogTail(options.logFile)}`,
  );
}
