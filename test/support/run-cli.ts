import { execFile } from 'node:child_process';
import { CLI_ENTRY, NODE_FLAGS } from '../demo/worker-env.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/**
 * Runs `hanzo-ingest <args>` as a user would: a child process with only PATH and the given
 * variables in its environment. Resolves with the exit code whatever it is.
 */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...NODE_FLAGS, CLI_ENTRY, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
      },
    );
  });
}
