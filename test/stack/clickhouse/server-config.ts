import { parseArgs } from 'node:util';

/** How main.ts is told where to listen and what to serve; parsed once, frozen. */
export interface ServerConfig {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dataDir: string;
  readonly user: string;
  readonly password: string;
}

export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

export const USAGE =
  'usage: node main.ts --data-dir DIR [--port N] [--host 127.0.0.1] [--user default]\n' +
  '  the password comes from the CLICKHOUSE_PASSWORD environment variable (default: empty),\n' +
  '  or --password (visible to other local users in the process list)';

/** Every problem is reported at once, with the option's name. */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        user: { type: 'string', default: 'default' },
        password: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new ServerConfigError(
      `${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    );
  }
  const problems: string[] = [];
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`--port: '${values.port}' is not a TCP port`);
  if (values['data-dir'] === undefined || values['data-dir'] === '')
    problems.push('--data-dir: required');
  if (values.user === '') problems.push('--user: must not be empty');
  if (problems.length > 0) throw new ServerConfigError(`${problems.join('\n')}\n${USAGE}`);
  return Object.freeze({
    host: values.host,
    port,
    dataDir: values['data-dir'] ?? '',
    user: values.user,
    password: values.password ?? env['CLICKHOUSE_PASSWORD'] ?? '',
  });
}
