/**
 * Infrastructure failures are errors; per-message failures are values (see decode/outcome.ts).
 * Every error we throw says whether retrying the same operation can succeed.
 */
export class IngestError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable;
  }
}

/** Start-up configuration is invalid; `problems` names every setting at fault. */
export class ConfigError extends IngestError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      retriable: false,
    });
    this.problems = problems;
  }
}

/** The command line asks for something impossible (e.g. a file that cannot be read): one line, exit 2. */
export class UsageError extends IngestError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}

/** The worker no longer owns a partition (rebalanced away or fenced as a zombie). */
export class OwnershipLostError extends IngestError {
  constructor(topic: string, partition: number, cause?: unknown) {
    super(`partition ${topic}[${partition}] is no longer owned by this worker`, {
      retriable: false,
      cause,
    });
  }
}

/** What a library threw, for a dead letter's message (at most 500 characters). */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  return typeof err === 'string' ? err.slice(0, 500) : 'a non-Error value was thrown';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An OS error as "ENOENT: no such file or directory", without Node's trailing
 * ", open '/path'" (the caller names the file once, its own way).
 */
export function osErrorText(err: unknown): string {
  return errorMessage(err).replace(/, \w+ '[^']*'$/, '');
}
