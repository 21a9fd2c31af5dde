import type { DeviceColumns } from '../../decode/sdk-device-fields.ts';
import type { DeviceFields } from './parse-user-agent.ts';

export type DeviceColumn = keyof DeviceColumns;

/**
 * Precedence of the device columns (docs/input-contract.md). Decode has put the SDK's own
 * values in the row; the parsed user agent fills what the SDK left empty:
 * - `browser` / `os`: the SDK's value when non-empty (it saw the real client: the app, the
 *   browser it runs in), else the user agent's;
 * - `browser_version` / `os_version`: from the same source as their name, never mixed;
 * - `device_type`: the SDK's, else the user agent's — except that a user agent recognised as
 *   a bot always makes it `bot` (an SDK running in a crawler still reports "Desktop").
 * Where both sources have a value and they differ, `disagree` is called once per column.
 */
export function mergeDeviceColumns(
  row: DeviceColumns,
  parsed: DeviceFields,
  disagree: (column: DeviceColumn) => void,
): void {
  mergePair(row, parsed, 'browser', 'browser_version', disagree);
  mergePair(row, parsed, 'os', 'os_version', disagree);
  if (row.device_type !== '' && parsed.device_type !== '' && row.device_type !== parsed.device_type)
    disagree('device_type');
  if (row.device_type === '' || parsed.device_type === 'bot') row.device_type = parsed.device_type;
}

function mergePair(
  row: DeviceColumns,
  parsed: DeviceFields,
  name: 'browser' | 'os',
  version: 'browser_version' | 'os_version',
  disagree: (column: DeviceColumn) => void,
): void {
  if (row[name] === '') {
    row[name] = parsed[name];
    row[version] = parsed[version];
    return;
  }
  if (parsed[name] === '') return;
  if (comparableName(row[name]) !== comparableName(parsed[name])) {
    disagree(name);
    return;
  }
  if (row[version] !== '' && parsed[version] !== '' && !sameVersion(row[version], parsed[version]))
    disagree(version);
}

/** Spellings of one name by posthog-js and by ua-parser-js ("Mac OS X" / "Mac OS"). */
const NAME_ALIASES: Readonly<Record<string, string>> = {
  macosx: 'macos',
  microsoftedge: 'edge',
  chromeios: 'chrome',
  firefoxios: 'firefox',
};

function comparableName(name: string): string {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return NAME_ALIASES[key] ?? key;
}

/** "131" and "131.0.0.0" agree: one is the other cut at a dot. */
function sameVersion(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return long === short || long.startsWith(`${short}.`);
}
