/**
 * Cross-field rules of the TLS settings, so a half-configured TLS setup stops start-up with
 * the setting's name instead of silently connecting without the certificate the user gave.
 */
export interface TlsSettings {
  readonly kafka: {
    readonly ssl: {
      readonly enabled: boolean;
      readonly caFile?: string | undefined;
      readonly certFile?: string | undefined;
      readonly keyFile?: string | undefined;
    };
  };
  readonly clickhouse: {
    readonly url: string;
    readonly tls: {
      readonly caFile?: string | undefined;
      readonly certFile?: string | undefined;
      readonly keyFile?: string | undefined;
    };
  };
}

export interface SettingIssue {
  readonly path: string[];
  readonly message: string;
}

export function tlsSettingIssues(c: TlsSettings): SettingIssue[] {
  const issues: SettingIssue[] = [];
  const pair = (
    section: string[],
    files: { certFile?: string | undefined; keyFile?: string | undefined },
  ): void => {
    if (files.certFile !== undefined && files.keyFile === undefined) {
      issues.push({
        path: [...section, 'keyFile'],
        message: `is required with ${section.join('.')}.certFile (mutual TLS)`,
      });
    }
    if (files.keyFile !== undefined && files.certFile === undefined) {
      issues.push({
        path: [...section, 'certFile'],
        message: `is required with ${section.join('.')}.keyFile (mutual TLS)`,
      });
    }
  };

  const ch = c.clickhouse.tls;
  pair(['clickhouse', 'tls'], ch);
  if ((ch.certFile !== undefined || ch.keyFile !== undefined) && ch.caFile === undefined) {
    issues.push({
      path: ['clickhouse', 'tls', 'caFile'],
      message: 'is required for mutual TLS (the server is verified against it)',
    });
  }
  const anyChFile =
    ch.caFile !== undefined || ch.certFile !== undefined || ch.keyFile !== undefined;
  if (anyChFile && !c.clickhouse.url.startsWith('https://')) {
    issues.push({
      path: ['clickhouse', 'url'],
      message: 'must be an https:// URL when TLS files (clickhouse.tls.*) are set',
    });
  }

  const ssl = c.kafka.ssl;
  pair(['kafka', 'ssl'], ssl);
  const anyKafkaFile =
    ssl.caFile !== undefined || ssl.certFile !== undefined || ssl.keyFile !== undefined;
  if (anyKafkaFile && !ssl.enabled) {
    issues.push({
      path: ['kafka', 'ssl', 'enabled'],
      message: 'must be true when TLS files (kafka.ssl.*) are set',
    });
  }
  return issues;
}
