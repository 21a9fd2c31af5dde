import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { BUNDLED_GEO_DATABASES } from '../../../../src/enrich/enrich-defaults.ts';
import { GeoDatabase } from '../../../../src/enrich/geo/geo-database.ts';
import { GeoLookup } from '../../../../src/enrich/geo/geo-lookup.ts';
import { writeMmdb, type MmdbNetwork } from '../../../fixtures/enrich/mmdb-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'hanzo-geo-'));
const opened: GeoDatabase[] = [];
after(() => {
  for (const database of opened) database.close();
});

async function open(
  path: string,
  watchIntervalMs = 0,
  hooks: Partial<Parameters<typeof GeoDatabase.open>[1]> = {},
): Promise<GeoDatabase> {
  const database = await GeoDatabase.open(path, { watchIntervalMs, ...hooks });
  opened.push(database);
  return database;
}

function writeDb(
  name: string,
  databaseType: string,
  ipVersion: 4 | 6,
  networks: MmdbNetwork[],
): string {
  const path = join(dir, name);
  writeFileSync(path, writeMmdb({ databaseType, ipVersion, networks }));
  return path;
}

/** A GeoLite2-City record, shaped exactly as MaxMind ships them. */
function maxmindCity(iso: string, region: string, city: string): MmdbNetwork['record'] {
  return {
    city: { geoname_id: 1, names: { en: city, de: `${city} (de)` } },
    continent: { code: 'EU', names: { en: 'Europe' } },
    country: { geoname_id: 2, iso_code: iso, names: { en: iso } },
    location: { accuracy_radius: 20, latitude: 50.1, longitude: 8.6, time_zone: 'Europe/Berlin' },
    registered_country: { iso_code: iso, names: { en: iso } },
    subdivisions: [{ iso_code: 'XX', names: { en: region } }],
  };
}

describe('geo: bundled DB-IP Lite City data (ip-location-db layout)', async () => {
  const databases = await Promise.all(BUNDLED_GEO_DATABASES.map((entry) => open(entry)));
  const geo = new GeoLookup(databases, 1000);

  test('both bundled files load with the flat layout, IPv4 and IPv6', () => {
    assert.deepEqual(
      databases.map((d) => [d.layout, d.databaseType]),
      [
        ['ip-location-db', 'city ipv4'],
        ['ip-location-db', 'city ipv6'],
      ],
    );
  });

  // Addresses of well-known networks whose country does not move: registries, root
  // servers, big providers' published ranges.
  const KNOWN: readonly [string, string][] = [
    ['8.8.8.8', 'US'], // Google Public DNS
    ['81.2.69.160', 'GB'], // MaxMind's own London test address
    ['1.1.1.1', 'AU'], // APNIC research prefix (Cloudflare)
    ['200.160.2.3', 'BR'], // NIC.br
    ['133.242.0.1', 'JP'], // Sakura Internet, Tokyo
    ['193.0.6.139', 'NL'], // RIPE NCC, Amsterdam
    ['195.154.1.1', 'FR'], // Scaleway, Paris
    ['196.25.1.1', 'ZA'], // Telkom SA
    ['2001:12ff::1', 'BR'], // NIC.br
    ['2001:200::1', 'JP'], // WIDE project
    ['2001:67c:2e8:22::c100:68b', 'NL'], // RIPE NCC
    ['2a00:1450:4001:80b::200e', 'DE'], // Google Frankfurt
    ['2001:610:1:40ba:145:100:190:1', 'NL'], // SURFnet
    ['2c0f:fb50:4003::1', 'KE'], // Google Nairobi
  ];
  for (const [ip, country] of KNOWN) {
    test(`${ip} is in ${country}`, () => {
      const answer = geo.lookup(ip);
      assert.ok(typeof answer === 'object', `${ip}: ${JSON.stringify(answer)}`);
      assert.equal(answer.country_code, country);
      assert.notEqual(answer.city, '');
    });
  }

  test('a full answer: country, region (state1) and city', () => {
    assert.deepEqual(geo.lookup('81.2.69.160'), {
      country_code: 'GB',
      region: 'England',
      city: 'London',
    });
  });

  test('the forms proxies write resolve to the same place', () => {
    const expected = geo.lookup('8.8.8.8');
    for (const form of [
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      ' 8.8.8.8 ',
      '8.8.8.8:443',
      '8.8.8.8, 10.0.0.1',
    ]) {
      assert.deepEqual(geo.lookup(form), expected, form);
    }
    assert.deepEqual(
      geo.lookup('[2a00:1450:4001:80b::200e]:443'),
      geo.lookup('2a00:1450:4001:80b::200e'),
    );
  });

  const MISSES: readonly [unknown, string][] = [
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'private'],
    ['100.64.0.1', 'private'], // carrier-grade NAT
    ['169.254.1.1', 'private'], // link-local
    ['192.0.2.1', 'private'], // documentation
    ['224.0.0.1', 'private'], // multicast
    ['255.255.255.255', 'private'],
    ['0.0.0.0', 'private'],
    ['::1', 'private'],
    ['::', 'private'],
    ['fe80::1%eth0', 'private'],
    ['fd12:3456::1', 'private'], // unique local
    ['2001:db8::1', 'private'], // documentation
    ['ff02::1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['999.1.1.1', 'invalid'],
    ['1.2.3', 'invalid'],
    ['not an ip', 'invalid'],
    ['', 'invalid'],
    ['12345::1::2', 'invalid'],
    ['x'.repeat(10_000), 'invalid'],
    [167_772_161, 'invalid'],
    [{ ip: '8.8.8.8' }, 'invalid'],
    [['8.8.8.8'], 'invalid'],
    [true, 'invalid'],
  ];
  for (const [value, reason] of MISSES) {
    test(`${JSON.stringify(value).slice(0, 40)} → no geo (${reason})`, () => {
      assert.equal(geo.lookup(value), reason);
    });
  }
});

describe('geo: database layouts and files', () => {
  test('a MaxMind GeoLite2-City file: nested names, first subdivision as region', async () => {
    const path = writeDb('maxmind-city.mmdb', 'GeoLite2-City', 6, [
      { network: '81.2.69.0/24', record: maxmindCity('GB', 'England', 'London') },
      { network: '2a02:2e0::/32', record: maxmindCity('DE', 'Berlin', 'Berlin') },
      { network: '5.5.5.0/24', record: { registered_country: { iso_code: 'IT' } } },
    ]);
    const database = await open(path);
    assert.equal(database.layout, 'maxmind');
    const geo = new GeoLookup([database], 10);
    assert.deepEqual(geo.lookup('81.2.69.160'), {
      country_code: 'GB',
      region: 'England',
      city: 'London',
    });
    assert.deepEqual(geo.lookup('2a02:2e0:3fe:1001::1'), {
      country_code: 'DE',
      region: 'Berlin',
      city: 'Berlin',
    });
    // Only the registered country known (anycast, satellite): still a country.
    assert.deepEqual(geo.lookup('5.5.5.5'), { country_code: 'IT', region: '', city: '' });
    assert.equal(geo.lookup('81.2.70.1'), 'not_found');
  });

  test('an IPv4-only file is never walked with an IPv6 address', async () => {
    // 32.0.0.0/3 covers every 32-bit value starting 001: the first 32 bits of 2a00::
    // start the same way, so walking the IPv4 tree with it would return this record.
    const path = writeDb('v4-only.mmdb', 'city ipv4', 4, [
      { network: '32.0.0.0/3', record: { country_code: 'US', state1: 'Ohio', city: 'Columbus' } },
    ]);
    const geo = new GeoLookup([await open(path)], 10);
    assert.equal(geo.lookup('33.1.1.1') instanceof Object, true);
    assert.equal(geo.lookup('2a00:1450::1'), 'not_found');
  });

  test('several files are tried in order until one knows the address', async () => {
    const first = writeDb('first.mmdb', 'city ipv4', 4, [
      { network: '11.0.0.0/8', record: { country_code: 'US', state1: '', city: '' } },
    ]);
    const second = writeDb('second.mmdb', 'GeoIP2-Country', 6, [
      { network: '11.0.0.0/8', record: { country: { iso_code: 'CA' } } },
      { network: '12.0.0.0/8', record: { country: { iso_code: 'MX' } } },
    ]);
    const geo = new GeoLookup([await open(first), await open(second)], 10);
    assert.equal((geo.lookup('11.2.3.4') as { country_code: string }).country_code, 'US');
    assert.equal((geo.lookup('12.2.3.4') as { country_code: string }).country_code, 'MX');
  });

  test('files that are not usable geo databases are refused with the reason', async () => {
    const asn = writeDb('asn.mmdb', 'GeoLite2-ASN', 6, [
      { network: '8.8.8.0/24', record: { autonomous_system_number: 15169 } },
    ]);
    await assert.rejects(
      GeoDatabase.open(asn, { watchIntervalMs: 0 }),
      /unsupported database type "GeoLite2-ASN"/,
    );
    const garbage = join(dir, 'garbage.mmdb');
    writeFileSync(garbage, 'not a database');
    await assert.rejects(GeoDatabase.open(garbage, { watchIntervalMs: 0 }));
    await assert.rejects(
      GeoDatabase.open(join(dir, 'missing.mmdb'), { watchIntervalMs: 0 }),
      /ENOENT/,
    );
  });

  test('a replaced file is reloaded live; a broken replacement keeps the previous data', async () => {
    const path = join(dir, 'live.mmdb');
    const version = (iso: string): Buffer =>
      writeMmdb({
        databaseType: 'GeoLite2-City',
        ipVersion: 6,
        networks: [{ network: '81.2.69.0/24', record: maxmindCity(iso, 'R', 'C') }],
      });
    writeFileSync(path, version('DE'));
    let reloads = 0;
    const failures: unknown[] = [];
    const caches: GeoLookup[] = [];
    const database = await open(path, 20, {
      onReload: () => {
        reloads++;
        for (const cache of caches) cache.clearCache();
      },
      onReloadError: (_db, err) => failures.push(err),
    });
    const geo = new GeoLookup([database], 100);
    caches.push(geo);
    const country = (): unknown =>
      (geo.lookup('81.2.69.160') as { country_code: string }).country_code;
    assert.equal(country(), 'DE');

    // As geoipupdate does: write a new file beside it, rename it over the old one.
    writeFileSync(`${path}.tmp`, version('FR'));
    renameSync(`${path}.tmp`, path);
    await waitFor(() => reloads === 1, 'the first replacement is loaded');
    await database.settled();
    assert.equal(country(), 'FR');

    writeFileSync(`${path}.tmp`, 'truncated download');
    renameSync(`${path}.tmp`, path);
    await waitFor(() => failures.length === 1, 'the broken replacement is reported');
    assert.equal(reloads, 1);
    assert.equal(country(), 'FR');

    writeFileSync(`${path}.tmp`, version('JP'));
    renameSync(`${path}.tmp`, path);
    await waitFor(() => reloads === 2, 'the next good replacement is loaded');
    assert.equal(country(), 'JP');
  });
});

/** Generous: the shared test machine can be very busy, and stat polling waits its turn. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await sleep(20);
  }
}
