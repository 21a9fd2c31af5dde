import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../stack/process/free-port.ts';

/** An HTTP request seen by the proxy (its request line only; bodies pass through untouched). */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** Decoded query string: ClickHouse clients send the INSERT statement and settings here. */
  readonly params: URLSearchParams;
  /** Date.now() when the request line passed through. */
  readonly at: number;
}

/**
 * What the proxy does to a request a rule matches:
 * - `reset`: nothing reaches the server; the client's connection is destroyed (ECONNRESET);
 * - `cut-after-request`: the request reaches the server, which executes it; the connection is
 *   destroyed as the response starts, so the client never learns the outcome (an ambiguous write).
 */
export type ProxyAction = 'reset' | 'cut-after-request';

export interface ProxyRule {
  readonly match: (request: ProxiedRequest) => boolean;
  readonly action: ProxyAction;
  /** Apply to at most this many requests, then let everything through (default: unlimited). */
  readonly limit?: number;
}

export interface ActiveProxyRule {
  /** Requests the rule acted on, in order. */
  readonly hits: readonly ProxiedRequest[];
  remove(): void;
}

interface RuleState {
  readonly rule: ProxyRule;
  readonly hits: ProxiedRequest[];
}

/** The request line of an HTTP/1.x request starting at this chunk, if one does. */
export function parseRequestLine(chunk: Buffer, at = Date.now()): ProxiedRequest | undefined {
  const first = chunk[0];
  if (first === undefined || first < 0x41 || first > 0x5a) return undefined; // not A-Z
  const end = chunk.indexOf('\r\n');
  if (end < 0) return undefined;
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(chunk.toString('latin1', 0, end));
  if (match === null) return undefined;
  const target = match[2] ?? '/';
  const q = target.indexOf('?');
  return {
    method: match[1] ?? '',
    path: q < 0 ? target : target.slice(0, q),
    params: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)),
    at,
  };
}

/**
 * A TCP proxy between a worker and a server, for injecting network faults from outside:
 * `down()` stops listening and cuts every open connection (clients see ECONNREFUSED /
 * ECONNRESET), `up()` listens again on the same port. For HTTP traffic it can also add
 * latency (`setLatency`), act on single requests by their request line (`addRule`), and
 * report every request line it forwards (`onRequest`).
 */
export class TcpProxy {
  readonly port: number;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  readonly #rules = new Set<RuleState>();
  readonly #listeners = new Set<(request: ProxiedRequest) => void>();
  #latencyMs = 0;
  #server: Server | undefined;

  private constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy(await freePort(), { host: url.hostname, port: Number(url.port) });
    await proxy.up();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((client) => this.#pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  async down(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.down();
  }

  /** Delays every byte from client to server by `ms` (order kept): each request takes ≥ ms. */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** Acts on matching requests until removed (or its limit is reached). */
  addRule(rule: ProxyRule): ActiveProxyRule {
    const state: RuleState = { rule, hits: [] };
    this.#rules.add(state);
    return { hits: state.hits, remove: () => this.#rules.delete(state) };
  }

  /** Calls `listener` with every request line that passes the proxy; returns an unsubscribe. */
  onRequest(listener: (request: ProxiedRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #ruleFor(request: ProxiedRequest): RuleState | undefined {
    for (const state of this.#rules) {
      const { limit } = state.rule;
      if (limit !== undefined && state.hits.length >= limit) continue;
      if (state.rule.match(request)) {
        state.hits.push(request);
        return state;
      }
    }
    return undefined;
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Set when a `cut-after-request` rule matched the request in progress.
    let cutOnResponse = false;
    // With latency, bytes leave in order at `releaseAt` or later, even if the latency changes.
    let releaseAt = 0;
    const toUpstream = (send: () => void): boolean => {
      const now = Date.now();
      const at = Math.max(now + this.#latencyMs, releaseAt);
      if (at <= now) return true;
      releaseAt = at;
      setTimeout(send, at - now);
      return false;
    };
    client.on('data', (chunk: Buffer) => {
      const request = parseRequestLine(chunk);
      if (request !== undefined) {
        for (const listener of this.#listeners) listener(request);
        const action = this.#ruleFor(request)?.rule.action;
        if (action === 'reset') {
          client.destroy();
          upstream.destroy();
          return;
        }
        cutOnResponse = action === 'cut-after-request';
      }
      if (toUpstream(() => upstream.write(chunk)) && !upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    client.on('end', () => {
      if (toUpstream(() => upstream.end())) upstream.end();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutOnResponse) {
        // The server executed the request; the client never hears back.
        client.destroy();
        upstream.destroy();
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
    upstream.on('end', () => client.end());
  }
}
