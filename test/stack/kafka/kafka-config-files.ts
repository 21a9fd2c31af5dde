import { randomBytes } from 'node:crypto';

export interface KafkaNodeConfig {
  /** Client (PLAINTEXT) listener on 127.0.0.1. */
  port: number;
  /** KRaft controller listener on 127.0.0.1. */
  controllerPort: number;
  /** Directory holding the partition logs and the KRaft metadata log. */
  logDir: string;
  /** Partitions of a topic created without an explicit count. */
  numPartitions: number;
}

/** server.properties of a single KRaft node that is both broker and controller. */
export function renderServerProperties(config: KafkaNodeConfig): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // A static quorum: the voter set lives in this file, not in the metadata log.
    'controller.quorum.voters': `1@127.0.0.1:${config.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${config.port},CONTROLLER://127.0.0.1:${config.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${config.port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': config.logDir,
    'num.partitions': config.numPartitions,
    // The project creates its topics explicitly; a typo must fail, not create a topic.
    'auto.create.topics.enable': false,
    // One node: every internal topic has a single replica.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // Tests join groups constantly; the default 3 s wait for more members only slows them.
    'group.initial.rebalance.delay.ms': 0,
  };
  const lines = Object.entries(settings).map(
    ([key, value]) => `${key}=${escapeValue(String(value))}`,
  );
  return `# Written by test/stack/kafka/kafka-server.ts on every start; edits are overwritten.\n${lines.join('\n')}\n`;
}

/** log4j2 configuration: the broker's INFO log goes to logFile, never to our stdout. */
export function renderLog4j2Config(logFile: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by test/stack/kafka/kafka-server.ts on every start; edits are overwritten. -->
<Configuration status="WARN">
  <Appenders>
    <File name="file" fileName="${escapeXml(logFile)}" append="true">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </File>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="kafka.network.RequestChannel$" level="WARN"/>
    <Root level="INFO">
      <AppenderRef ref="file"/>
    </Root>
  </Loggers>
</Configuration>
`;
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (22 chars).
 * Like Kafka's Uuid.randomUuid, it never starts with '-', which the storage
 * tool's command line would read as an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** java.util.Properties treats backslash as an escape character. */
function escapeValue(value: string): string {
  return value.replaceAll('\\', '\\\\');
}

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
