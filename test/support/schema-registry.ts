import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the registry answers for one id: a JSON body (200), or a bare status. */
export type RegistryEntry =
  | { readonly schema: string; readonly schemaType?: string }
  | { readonly rawBody: string }
  | { readonly status: number };

export interface RegistryServerOptions {
  readonly schemas: Readonly<Record<number, RegistryEntry>>;
  /** The Authorization header every request must carry; anything else gets 401. */
  readonly requireAuthorization?: string;
}

export interface RegistryServer {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly port: number;
  /** Every request received: path and Authorization header. */
  readonly requests: { path: string; authorization: string | undefined }[];
  /** Changes which Authorization the server accepts (e.g. an operator fixing credentials). */
  requireAuthorization(value: string | undefined): void;
  close(): Promise<void>;
}

export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * A real HTTP peer speaking the Confluent schema registry's `GET /schemas/ids/{id}` on a
 * free loopback port, with its error shape (`{"error_code": 40403, "message": ...}`).
 */
export async function startSchemaRegistry(options: RegistryServerOptions): Promise<RegistryServer> {
  const requests: RegistryServer['requests'] = [];
  let required = options.requireAuthorization;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '';
    requests.push({ path, authorization: req.headers.authorization });
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(body);
    };
    if (required !== undefined && req.headers.authorization !== required) {
      send(401, JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    const match = /^\/schemas\/ids\/(\d+)$/.exec(path);
    const entry = match === null ? undefined : options.schemas[Number(match[1])];
    if (entry === undefined) {
      send(404, JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
    } else if ('status' in entry) {
      send(entry.status, JSON.stringify({ error_code: entry.status, message: 'failure' }));
    } else if ('rawBody' in entry) {
      send(200, entry.rawBody);
    } else {
      send(200, JSON.stringify(entry));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    requireAuthorization: (value) => {
      required = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err === undefined ? resolve() : reject(err)));
      }),
  };
}
