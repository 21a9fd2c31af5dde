/**
 * Real user agents (desktop, mobile, tablet, in-app browsers, TVs, consoles, wearables, an
 * embedded car browser, crawlers, AI bots, HTTP libraries) with the columns expected for
 * each — every row checked by hand against the string. Library quirks are kept as they
 * are (ua-parser-js 1.0 calls a VR headset `wearable`, Nintendo's browser `WebKit`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import UAParser from 'ua-parser-js';
import {
  USER_AGENT_MAX_LENGTH,
  parseUserAgent,
} from '../../../../src/enrich/user-agent/parse-user-agent.ts';
import {
  UserAgentLookup,
  isUnparsed,
} from '../../../../src/enrich/user-agent/user-agent-lookup.ts';
import {
  SDK_USER_AGENTS,
  USER_AGENTS,
  uniqueChromeUserAgent,
} from '../../../bench/corpus/user-agents.ts';

interface Row {
  readonly name: string;
  readonly ua: string;
  readonly expected: readonly [string, string, string, string, string];
}

const TABLE = JSON.parse(
  readFileSync(new URL('../../../fixtures/enrich/user-agents.json', import.meta.url), 'utf8'),
) as readonly Row[];

describe('user agent → browser, os, device_type', () => {
  test('the table covers every device type', () => {
    assert.ok(TABLE.length >= 30);
    const types = new Set(TABLE.map((row) => row.expected[4]));
    for (const type of [
      'desktop',
      'mobile',
      'tablet',
      'smarttv',
      'console',
      'wearable',
      'embedded',
      'bot',
    ]) {
      assert.ok(types.has(type), type);
    }
  });

  for (const row of TABLE) {
    test(row.name, () => {
      const d = parseUserAgent(row.ua);
      assert.deepEqual(
        [d.browser, d.browser_version, d.os, d.os_version, d.device_type],
        row.expected,
      );
    });
  }

  test('a string nothing can be learned from is empty (and counted as unparsed)', () => {
    const d = parseUserAgent('Mozilla/5.0 (Unknown; Foo)');
    assert.deepEqual(d, {
      browser: '',
      browser_version: '',
      os: '',
      os_version: '',
      device_type: '',
    });
    assert.ok(isUnparsed(d));
    assert.ok(!isUnparsed(parseUserAgent(TABLE[0]!.ua)));
  });

  test('only the first 500 characters count, as in ua-parser-js', () => {
    const ua = TABLE[0]!.ua;
    const padded = `${ua}${' x'.repeat(5_000)}`;
    assert.deepEqual(
      parseUserAgent(padded),
      parseUserAgent(padded.slice(0, USER_AGENT_MAX_LENGTH)),
    );
  });

  test('the lookup caches by string and returns the same answer', () => {
    const lookup = new UserAgentLookup(2);
    const first = lookup.lookup(TABLE[0]!.ua);
    assert.equal(lookup.lookup(TABLE[0]!.ua), first);
    assert.deepEqual(new UserAgentLookup(0).lookup(TABLE[0]!.ua), first);
  });
});

describe('parseUserAgent reads only the parts its columns use', () => {
  /** What ua-parser-js's full getResult() gives for the same columns. */
  const viaGetResult = (ua: string) => {
    const result = new UAParser(ua.slice(0, USER_AGENT_MAX_LENGTH)).getResult();
    return {
      browser: result.browser.name ?? '',
      browser_version: result.browser.version ?? '',
      os: result.os.name ?? '',
      os_version: result.os.version ?? '',
    };
  };
  const columns = (ua: string) => {
    const { browser, browser_version, os, os_version } = parseUserAgent(ua);
    return { browser, browser_version, os, os_version };
  };

  test('the same browser and OS as getResult() for every known and generated user agent', () => {
    const known = [
      ...TABLE.map((r) => r.ua),
      ...USER_AGENTS,
      ...SDK_USER_AGENTS,
      uniqueChromeUserAgent(120, 7, true),
      uniqueChromeUserAgent(121, 3, false),
    ];
    for (const ua of known) {
      assert.deepEqual(columns(ua), viaGetResult(ua), ua);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), fc.constantFrom(...known), (noise, ua) => {
        for (const text of [noise, `${ua} ${noise}`, `${noise}${ua}`]) {
          assert.deepEqual(columns(text), viaGetResult(text));
        }
      }),
    );
  });
});
