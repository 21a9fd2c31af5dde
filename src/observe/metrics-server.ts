import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { errorMessage } from '../errors.ts';
import type { Verdict } from './health-checks.ts';

export interface MetricsServerOptions {
  readonly port: number;
  /** All interfaces by default: Prometheus and the kubelet connect from outside the pod. */
  readonly host?: string;
  readonly registry: Registry;
  readonly health: () => Verdict;
  readonly readiness: () => Verdict;
}

/** `/metrics`, `/healthz` and `/readyz` on one port (METRICS_PORT). */
export class MetricsServer {
  readonly #server: Server;
  readonly #options: MetricsServerOptions;

  constructor(options: MetricsServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, 'text/plain', `error: ${errorMessage(err)}\n`);
        else res.destroy();
      });
    });
    // Scrapes are short; never let an idle socket hold the process at shutdown.
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain', 'method not allowed\n');
      return;
    }
    switch (path) {
      case '/metrics': {
        const { registry } = this.#options;
        send(res, 200, registry.contentType, await registry.metrics());
        return;
      }
      case '/healthz':
        sendVerdict(res, this.#options.health());
        return;
      case '/readyz':
        sendVerdict(res, this.#options.readiness());
        return;
      default:
        send(res, 404, 'text/plain', 'not found: try /metrics, /healthz or /readyz\n');
    }
  }
}

function sendVerdict(res: ServerResponse, verdict: Verdict): void {
  const body = `${JSON.stringify(verdict)}\n`;
  send(res, verdict.status === 'ok' ? 200 : 503, 'application/json', body);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
