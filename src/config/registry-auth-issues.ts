import type { SettingIssue } from './tls-setting-issues.ts';

export interface RegistryAuthSettings {
  readonly schemaRegistryUrl?: string | undefined;
  readonly schemaRegistryUsername?: string | undefined;
  readonly schemaRegistryPassword?: string | undefined;
  readonly schemaRegistryToken?: string | undefined;
}

/**
 * Cross-field rules of the schema registry's credentials: one way to authenticate, given
 * whole. Two at once would leave the worker guessing which one the registry expects.
 */
export function registryAuthIssues(d: RegistryAuthSettings): SettingIssue[] {
  const issues: SettingIssue[] = [];
  const userInfo = urlHasUserInfo(d.schemaRegistryUrl);
  const basic = d.schemaRegistryUsername !== undefined || d.schemaRegistryPassword !== undefined;
  if (basic && d.schemaRegistryToken !== undefined) {
    issues.push({
      path: ['decode', 'schemaRegistryToken'],
      message:
        'set either DECODE_SCHEMA_REGISTRY_TOKEN (bearer) or DECODE_SCHEMA_REGISTRY_USERNAME/' +
        'DECODE_SCHEMA_REGISTRY_PASSWORD (basic), not both',
    });
  }
  if (userInfo && (basic || d.schemaRegistryToken !== undefined)) {
    issues.push({
      path: ['decode', 'schemaRegistryUrl'],
      message:
        'carries credentials (user:password@); do not also set DECODE_SCHEMA_REGISTRY_USERNAME, ' +
        '_PASSWORD or _TOKEN',
    });
  }
  if (d.schemaRegistryPassword !== undefined && d.schemaRegistryUsername === undefined) {
    issues.push({
      path: ['decode', 'schemaRegistryPassword'],
      message: 'needs DECODE_SCHEMA_REGISTRY_USERNAME',
    });
  }
  if (d.schemaRegistryUsername !== undefined && d.schemaRegistryPassword === undefined) {
    issues.push({
      path: ['decode', 'schemaRegistryUsername'],
      message: 'needs DECODE_SCHEMA_REGISTRY_PASSWORD (or DECODE_SCHEMA_REGISTRY_PASSWORD_FILE)',
    });
  }
  if ((basic || d.schemaRegistryToken !== undefined) && d.schemaRegistryUrl === undefined) {
    issues.push({
      path: ['decode', 'schemaRegistryUrl'],
      message: 'is required when registry credentials are set',
    });
  }
  return issues;
}

function urlHasUserInfo(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
