import { LRUCache } from 'lru-cache';
import { USER_AGENT_MAX_LENGTH, parseUserAgent, type DeviceFields } from './parse-user-agent.ts';

/** Parsing costs tens of microseconds; real traffic repeats a few thousand agents. */
export class UserAgentLookup {
  readonly #cache: LRUCache<string, DeviceFields> | undefined;

  constructor(cacheSize: number) {
    this.#cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
  }

  lookup(userAgent: string): DeviceFields {
    const key =
      userAgent.length > USER_AGENT_MAX_LENGTH
        ? userAgent.slice(0, USER_AGENT_MAX_LENGTH)
        : userAgent;
    const cache = this.#cache;
    let fields = cache?.get(key);
    if (fields === undefined) {
      fields = parseUserAgent(key);
      cache?.set(key, fields);
    }
    return fields;
  }
}

/** Nothing was learned from the string: no browser, no OS, no device type. */
export function isUnparsed(fields: DeviceFields): boolean {
  return fields.browser === '' && fields.os === '' && fields.device_type === '';
}
