import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/errors.ts';
import { parseGeoNetworks } from '../../../src/kafka-engine/geo/geo-networks.ts';

describe('parseGeoNetworks', () => {
  test('CIDR rows, quoted fields, optional header, IPv6', () => {
    const { rows, version } = parseGeoNetworks(
      'network,country_code,region,city\n81.2.69.0/24,gb,England,London\n"2a02:1234::/32",DE,"Berlin, Land","Berlin ""Mitte"""\n8.8.8.8,,,\n',
    );
    assert.deepEqual(rows, [
      { prefix: '81.2.69.0/24', country_code: 'GB', region: 'England', city: 'London' },
      {
        prefix: '2a02:1234::/32',
        country_code: 'DE',
        region: 'Berlin, Land',
        city: 'Berlin "Mitte"',
      },
      { prefix: '8.8.8.8', country_code: '', region: '', city: '' },
    ]);
    assert.match(version, /^[0-9a-f]{16}$/);
  });

  test('every bad line is reported with its number', () => {
    try {
      parseGeoNetworks('10.0.0.0/33,GB,a,b\nnot-a-net,GB,a,b\n1.2.3.0/24,GBR,a,b\n1.2.3.0/24,GB\n');
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      assert.match(text, /line 1: "10\.0\.0\.0\/33" is not a network/);
      assert.match(text, /line 2: "not-a-net" is not a network/);
      assert.match(text, /line 3: country_code "GBR"/);
      assert.match(text, /line 4: expected 4 fields/);
      assert.match(text, /KAFKA_ENGINE_GEO_NETWORKS_FILE/);
    }
  });
});
