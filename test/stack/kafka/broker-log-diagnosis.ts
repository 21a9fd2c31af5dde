/**
 * Reading why a broker launch failed out of its log. Pure functions over the
 * text the launch wrote.
 */

/** The port the broker could not bind, when that is why it stopped. */
export function portInUse(log: string): number | undefined {
  const port = /failed to bind to [^\s]+:(\d+): Address already in use/.exec(log)?.[1];
  return port === undefined ? undefined : Number(port);
}

/** The broker logs hundreds of lines around a failure; its first errors and exceptions say why. */
export function firstErrors(log: string, max = 8): string {
  const errors = log
    .split('\n')
    .filter(
      (line) =>
        / (ERROR|FATAL) /.test(line) || /^(Caused by: )?[\w.$]+(Exception|Error): /.test(line),
    );
  const unique = [...new Set(errors)].slice(0, max);
  return unique.length === 0 ? '' : `--- first errors ---\n${unique.join('\n')}\n`;
}
