/** The geo columns of an events row. */
export interface GeoFields {
  /** ISO 3166-1 alpha-2, or '' (FixedString(2) stores it as two NUL bytes). */
  readonly country_code: string;
  readonly region: string;
  readonly city: string;
}

/** How one family of .mmdb files lays out its records. */
export interface GeoLayout {
  readonly name: 'maxmind' | 'ip-location-db';
  /** Geo fields of a record, or undefined when it says nothing about location. */
  toFields(record: unknown): GeoFields | undefined;
}

const ISO2 = /^[A-Z]{2}$/;
type Node = Readonly<Record<string, unknown>>;

function node(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' ? (value as Node) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function fields(country: unknown, region: unknown, city: unknown): GeoFields | undefined {
  const code = text(country).toUpperCase();
  const result = {
    country_code: ISO2.test(code) ? code : '',
    region: text(region),
    city: text(city),
  };
  return result.country_code === '' && result.region === '' && result.city === ''
    ? undefined
    : result;
}

/** MaxMind GeoIP2 / GeoLite2 (City or Country) and DB-IP's MaxMind-compatible files. */
const maxmindLayout: GeoLayout = {
  name: 'maxmind',
  toFields(record) {
    const r = node(record);
    if (r === undefined) return undefined;
    const country = node(r['country']) ?? node(r['registered_country']);
    const subdivisions = r['subdivisions'];
    const firstSubdivision = Array.isArray(subdivisions) ? node(subdivisions[0]) : undefined;
    return fields(
      country?.['iso_code'],
      node(firstSubdivision?.['names'])?.['en'],
      node(node(r['city'])?.['names'])?.['en'],
    );
  },
};

/** ip-location-db (sapics) flat records: country_code, state1, city. */
const ipLocationDbLayout: GeoLayout = {
  name: 'ip-location-db',
  toFields(record) {
    const r = node(record);
    if (r === undefined) return undefined;
    return fields(r['country_code'], r['state1'], r['city']);
  },
};

const MAXMIND_TYPE = /^(GeoIP2|GeoLite2|GeoIP|DBIP)-.*(City|Country|Enterprise|Location)/i;
const IP_LOCATION_DB_TYPE = /^(city|country)\s+ipv[46]$/i;

/**
 * The layout of a database, told by its metadata's `database_type`
 * (`GeoLite2-City`, `GeoIP2-Country`, `DBIP-City-Lite`… vs ip-location-db's `city ipv4`).
 * Databases without locations (ASN, ISP, anonymous IP…) are not geo databases: undefined.
 */
export function layoutFor(databaseType: string): GeoLayout | undefined {
  if (MAXMIND_TYPE.test(databaseType)) return maxmindLayout;
  if (IP_LOCATION_DB_TYPE.test(databaseType)) return ipLocationDbLayout;
  return undefined;
}
