import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';

/** The device columns of an events row. */
export interface DeviceFields {
  readonly browser: string;
  readonly browser_version: string;
  readonly os: string;
  readonly os_version: string;
  /** desktop, mobile, tablet, console, smarttv, wearable, embedded, bot, or ''. */
  readonly device_type: string;
}

/** ua-parser-js 1.0.x device types kept as they are. */
const DEVICE_TYPES = new Set(['mobile', 'tablet', 'console', 'smarttv', 'wearable', 'embedded']);

/** Operating systems that, with no device type found, mean a desktop or laptop. */
export const DESKTOP_OS: ReadonlySet<string> = new Set([
  'Windows',
  'Mac OS',
  'macOS',
  'Linux',
  'Chromium OS',
  'Ubuntu',
  'Debian',
  'Fedora',
  'Mint',
  'Arch',
  'Gentoo',
  'Slackware',
  'SUSE',
  'CentOS',
  'RedHat',
  'Red Hat',
  'Mandriva',
  'Mageia',
  'PCLinuxOS',
  'Zenwalk',
  'VectorLinux',
  'Linpus',
  'Deepin',
  'elementary OS',
  'Kubuntu',
  'Xubuntu',
  'Lubuntu',
  'FreeBSD',
  'OpenBSD',
  'NetBSD',
  'DragonFly',
  'Solaris',
  'AIX',
  'HP-UX',
  'Haiku',
  'BeOS',
  'OS/2',
  'Unix',
  'GNU',
  'Hurd',
  'Plan9',
  'Minix',
  'Amiga OS',
  'Morph OS',
  'RISC OS',
]);

/** ua-parser-js keeps at most 500 characters; the rest never changes a result. */
export const USER_AGENT_MAX_LENGTH = 500;

/**
 * A user agent string → device columns, with ua-parser-js 1.0.x (MIT; 2.x is AGPL and never
 * used) and isbot. Bots (crawlers, monitors, HTTP libraries) are `device_type = bot`; a
 * known desktop OS with no device type is `desktop`. Pure and total: never throws.
 */
export function parseUserAgent(userAgent: string): DeviceFields {
  const ua =
    userAgent.length > USER_AGENT_MAX_LENGTH
      ? userAgent.slice(0, USER_AGENT_MAX_LENGTH)
      : userAgent;
  // Only the parts the columns use: getResult() would also run the engine and CPU rules.
  const parser = new UAParser(ua);
  const browser = parser.getBrowser();
  const system = parser.getOS();
  const os = system.name ?? '';
  const type = parser.getDevice().type ?? '';
  return {
    browser: browser.name ?? '',
    browser_version: browser.version ?? '',
    os,
    os_version: system.version ?? '',
    device_type: isbot(ua)
      ? 'bot'
      : DEVICE_TYPES.has(type)
        ? type
        : type === '' && DESKTOP_OS.has(os)
          ? 'desktop'
          : '',
  };
}
