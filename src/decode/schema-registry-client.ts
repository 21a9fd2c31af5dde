import { IngestError, errorMessage } from '../errors.ts';

/** How the worker proves itself to the registry (Confluent's basic.auth / bearer.auth). */
export type RegistryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** What the registry said about one schema id. */
export type RegistryAnswer =
  | { readonly found: false }
  | { readonly found: true; readonly body: unknown; readonly bodyError?: string };

export type RegistryFailureKind = 'unreachable' | 'unauthorized' | 'http_error';

/**
 * The registry could not answer: infrastructure, retried. `unauthorized` (401/403) is an
 * operator's fix (credentials), not the messages' fault, so it is never a dead letter.
 */
export class SchemaRegistryError extends IngestError {
  readonly kind: RegistryFailureKind;

  constructor(kind: RegistryFailureKind, message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
    this.kind = kind;
  }
}

const REQUEST_TIMEOUT_MS = 10_000;
/** A schema answer is a few KiB; a registry (or a proxy) sending more is not read whole. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * GET /schemas/ids/{id} against a Confluent-compatible registry. Credentials in the URL's
 * user-info move into the Authorization header: fetch refuses such URLs, and every message
 * names the registry by origin only, so a secret never reaches a log line.
 */
export class SchemaRegistryClient {
  /** Origin and path, never credentials: safe for logs. */
  readonly displayUrl: string;
  readonly #base: URL;
  readonly #authorization: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(url: string, auth: RegistryAuth, fetchImpl: typeof fetch = fetch) {
    const base = new URL(url.endsWith('/') ? url : `${url}/`);
    const fromUrl =
      base.username === '' && base.password === ''
        ? undefined
        : {
            username: decodeURIComponent(base.username),
            password: decodeURIComponent(base.password),
          };
    base.username = '';
    base.password = '';
    this.#base = base;
    this.displayUrl = base.toString();
    this.#authorization = authorizationHeader(auth, fromUrl);
    this.#fetch = fetchImpl;
  }

  async fetchSchema(id: number): Promise<RegistryAnswer> {
    const url = new URL(`schemas/ids/${id}`, this.#base);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new SchemaRegistryError(
        'unreachable',
        `schema registry ${this.displayUrl} unreachable: ${errorMessage(err)}`,
        err,
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { found: false };
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new SchemaRegistryError(
        'unauthorized',
        `schema registry ${this.displayUrl} refused the credentials (${response.status}): check ` +
          'DECODE_SCHEMA_REGISTRY_USERNAME/_PASSWORD, DECODE_SCHEMA_REGISTRY_TOKEN or the URL',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SchemaRegistryError(
        'http_error',
        `schema registry ${this.displayUrl} answered ${response.status} for schema id ${id}`,
      );
    }
    return readJsonBody(response, this.displayUrl);
  }
}

function authorizationHeader(
  auth: RegistryAuth,
  fromUrl: { username: string; password: string } | undefined,
): string | undefined {
  // Config validation rejects two sources at once; the explicit settings win regardless.
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  const basic = auth.kind === 'basic' ? auth : fromUrl;
  if (basic === undefined) return undefined;
  return `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
}

async function readJsonBody(response: Response, displayUrl: string): Promise<RegistryAnswer> {
  let text: string;
  try {
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_ANSWER_BYTES) {
      await response.body?.cancel();
      return {
        found: true,
        body: undefined,
        bodyError: `answer of ${declared} bytes is too large`,
      };
    }
    text = await response.text();
  } catch (err) {
    throw new SchemaRegistryError(
      'unreachable',
      `schema registry ${displayUrl} answer cut short: ${errorMessage(err)}`,
      err,
    );
  }
  if (text.length > MAX_ANSWER_BYTES) {
    return { found: true, body: undefined, bodyError: 'answer is too large' };
  }
  try {
    return { found: true, body: JSON.parse(text) as unknown };
  } catch (err) {
    return { found: true, body: undefined, bodyError: `answer is not JSON: ${errorMessage(err)}` };
  }
}
