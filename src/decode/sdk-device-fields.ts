/** The device columns an events row carries (browser, os and their versions, device type). */
export interface DeviceColumns {
  browser: string;
  browser_version: string;
  os: string;
  os_version: string;
  device_type: string;
}

/** PostHog SDK property → device column. Versions belong to their name's property. */
export const SDK_DEVICE_PROPERTIES = {
  browser: '$browser',
  browser_version: '$browser_version',
  os: '$os',
  os_version: '$os_version',
  device_type: '$device_type',
} as const satisfies Record<keyof DeviceColumns, string>;

/**
 * The device columns as the SDK reported them (posthog-js from the browser it runs in, the
 * mobile SDKs from the device), or '' where it did not. A version is taken only with its
 * name (`$browser_version` only when `$browser` is there), so a pair never mixes sources;
 * versions may be numbers (posthog-js sends `$browser_version: 131`). `$device_type` is
 * lower-cased to the user-agent parser's words (Desktop → desktop, Mobile → mobile).
 */
export function sdkDeviceColumns(properties: Readonly<Record<string, unknown>>): DeviceColumns {
  const browser = text(properties[SDK_DEVICE_PROPERTIES.browser]);
  const os = text(properties[SDK_DEVICE_PROPERTIES.os]);
  return {
    browser,
    browser_version:
      browser === '' ? '' : version(properties[SDK_DEVICE_PROPERTIES.browser_version]),
    os,
    os_version: os === '' ? '' : version(properties[SDK_DEVICE_PROPERTIES.os_version]),
    device_type: text(properties[SDK_DEVICE_PROPERTIES.device_type]).toLowerCase(),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function version(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}
