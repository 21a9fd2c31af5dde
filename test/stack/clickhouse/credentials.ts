import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ClickHouseServerError } from './clickhouse-error.ts';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** user name → password; the stack configures one user, tests may add more. */
export type UserDirectory = ReadonlyMap<string, string>;

/**
 * Reads credentials the three ways ClickHouse accepts them: X-ClickHouse-User /
 * X-ClickHouse-Key headers, HTTP Basic auth, or user / password URL parameters.
 * Like the real server, mixing two of them is an authentication failure, and
 * no credentials at all means the `default` user with an empty password.
 */
export function readCredentials(
  headers: IncomingHttpHeaders,
  params: URLSearchParams,
): Credentials {
  const headerUser = header(headers, 'x-clickhouse-user');
  const headerKey = header(headers, 'x-clickhouse-key');
  const authorization = header(headers, 'authorization');
  const inParams = params.has('user') || params.has('password');
  const usesHeaders = headerUser !== undefined || headerKey !== undefined;
  if ([usesHeaders, authorization !== undefined, inParams].filter(Boolean).length > 1) {
    throw ClickHouseServerError.of(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: it is not allowed to use X-ClickHouse HTTP headers, the Authorization header ' +
        'and user/password parameters simultaneously',
    );
  }
  if (usesHeaders) return { user: headerUser || 'default', password: headerKey ?? '' };
  if (authorization !== undefined) return basicCredentials(authorization);
  return { user: params.get('user') || 'default', password: params.get('password') ?? '' };
}

/** Throws AUTHENTICATION_FAILED (516) unless the user exists with exactly this password. */
export function authenticate(credentials: Credentials, users: UserDirectory): void {
  const expected = users.get(credentials.user);
  if (expected === undefined || !samePassword(expected, credentials.password)) {
    throw ClickHouseServerError.of(
      'AUTHENTICATION_FAILED',
      `${credentials.user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
}

function basicCredentials(authorization: string): Credentials {
  const [scheme, token] = authorization.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'basic' || token === undefined) {
    throw ClickHouseServerError.of(
      'AUTHENTICATION_FAILED',
      `Invalid authentication: the local endpoint only accepts Basic authorization, got '${scheme ?? ''}'`,
    );
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { user: decoded || 'default', password: '' };
  return { user: decoded.slice(0, colon) || 'default', password: decoded.slice(colon + 1) };
}

function samePassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
