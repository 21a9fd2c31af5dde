import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import type { StackOptions } from './local-stack.ts';
import { stackEnv } from './local-stack.ts';
import { testedClickHouseVersion, testedKafkaVersion } from './tested-versions.ts';
import type { ClickHouseService, KafkaService, PostgresService, Stack } from './types.ts';

// The versions the local stack runs, as compose.yml pins them (tested-versions.ts).
const KAFKA_IMAGE = process.env['HANZO_KAFKA_IMAGE'] ?? `apache/kafka:${testedKafkaVersion()}`;
const CLICKHOUSE_IMAGE =
  process.env['HANZO_CLICKHOUSE_IMAGE'] ??
  `clickhouse/clickhouse-server:${testedClickHouseVersion()}`;
const POSTGRES_IMAGE = process.env['HANZO_POSTGRES_IMAGE'] ?? 'postgres:17-alpine';
const KAFKA_PORT = 9092;

/**
 * The same stack in Docker containers (HANZO_STACK=testcontainers), for machines with a
 * Docker engine. Kafka advertises the host-mapped port so clients outside the container
 * reach it; restart keeps the container (and its data) by stopping and starting it.
 */
export async function startContainerStack(options: StackOptions): Promise<Stack> {
  const username = options.clickhouseUser ?? 'hanzo';
  const password = options.clickhousePassword ?? 'hanzo';
  const [kafka, clickhouse, postgres] = await Promise.all([
    startKafkaContainer(),
    startClickHouseContainer(username, password),
    options.postgres === true ? startPostgresContainer() : undefined,
  ]);
  let stopped: Promise<void> | undefined;
  return {
    provider: 'testcontainers',
    kafka,
    clickhouse,
    postgres,
    env: () => stackEnv(kafka.brokers, clickhouse, postgres),
    stop: () =>
      (stopped ??= Promise.all([kafka.stop(), clickhouse.stop(), postgres?.stop()]).then(
        () => undefined,
      )),
  };
}

async function startKafkaContainer(): Promise<KafkaService> {
  // The advertised listener must name the host port, which is only known after start:
  // a fixed host port chosen up front keeps it stable across restarts.
  const { freePort } = await import('./process/free-port.ts');
  const hostPort = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: KAFKA_PORT, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${KAFKA_PORT},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return restartable(container, {
    brokers: [`127.0.0.1:${hostPort}`],
    version: KAFKA_IMAGE.split(':')[1] ?? 'unknown',
  });
}

async function startClickHouseContainer(
  username: string,
  password: string,
): Promise<ClickHouseService> {
  const { freePort } = await import('./process/free-port.ts');
  const hostPort = await freePort();
  const container = await new GenericContainer(CLICKHOUSE_IMAGE)
    .withExposedPorts({ container: 8123, host: hostPort })
    .withEnvironment({
      CLICKHOUSE_USER: username,
      CLICKHOUSE_PASSWORD: password,
      CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT: '1',
    })
    .withWaitStrategy(Wait.forHttp('/ping', 8123).forStatusCode(200))
    .start();
  return restartable(container, {
    url: `http://127.0.0.1:${hostPort}`,
    username,
    password,
    version: CLICKHOUSE_IMAGE.split(':')[1] ?? 'unknown',
  });
}

async function startPostgresContainer(): Promise<PostgresService> {
  const { freePort } = await import('./process/free-port.ts');
  const hostPort = await freePort();
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withExposedPorts({ container: 5432, host: hostPort })
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    // The entrypoint starts a temporary server for its init scripts first: the second
    // "ready" line is the real one.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return restartable(container, {
    url: `postgres://postgres@127.0.0.1:${hostPort}/postgres`,
    version: POSTGRES_IMAGE.split(':')[1] ?? 'unknown',
  });
}

function restartable<T extends object>(
  container: StartedTestContainer,
  fields: T,
): T & { stop(): Promise<void>; start(): Promise<void> } {
  let running = true;
  return {
    ...fields,
    async stop() {
      if (!running) return;
      running = false;
      await container.stop({ remove: false, timeout: 10_000 });
    },
    async start() {
      if (running) return;
      await container.restart();
      running = true;
    },
  };
}
