import type { ProxiedRequest, TcpProxy } from '../../support/tcp-proxy.ts';

/** An INSERT that passed the proxy: when, and the deduplication token it carried. */
export interface SeenInsert {
  readonly at: number;
  readonly token: string;
}

export function isInsert(request: ProxiedRequest): boolean {
  return /^\s*INSERT\b/i.test(request.params.get('query') ?? '');
}

export function tokenOf(request: ProxiedRequest): string {
  return request.params.get('insert_deduplication_token') ?? '';
}

/** Records every INSERT request line that passes a proxy (to ClickHouse). */
export class InsertLog {
  readonly inserts: SeenInsert[] = [];
  readonly #unsubscribe: () => void;

  constructor(proxy: TcpProxy) {
    this.#unsubscribe = proxy.onRequest((request) => {
      if (isInsert(request)) this.inserts.push({ at: request.at, token: tokenOf(request) });
    });
  }

  between(from: number, to: number): SeenInsert[] {
    return this.inserts.filter((i) => i.at >= from && i.at < to);
  }

  close(): void {
    this.#unsubscribe();
  }
}

/** The batch a deduplication token names (`topic:partition:first-last`, split halves `/a-b`). */
export function parseToken(
  token: string,
): { partition: number; first: number; last: number } | undefined {
  const match = /:(\d+):(\d+)-(\d+)(?:\/|$)/.exec(token);
  if (match === null) return undefined;
  return { partition: Number(match[1]), first: Number(match[2]), last: Number(match[3]) };
}
