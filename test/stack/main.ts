/**
 * `npm run stack`: Kafka, ClickHouse and PostgreSQL for development, until Ctrl-C.
 * Prints the environment lines a worker needs; data persists in .stack/local
 * (HANZO_STACK_DIR overrides), so restarting the stack keeps topics and tables.
 *
 *   npm run stack                       # then, in another shell:
 *   export $(cat .stack/local/env) && node src/cli/main.ts run
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from './local-stack.ts';

const dir = process.env['HANZO_STACK_DIR'] ?? join(process.cwd(), '.stack', 'local');
const stack = await startStack({ dir, postgres: true });
const lines = Object.entries(stack.env()).map(([k, v]) => `${k}=${v}`);
writeFileSync(join(dir, 'env'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
console.error(
  `# ${stack.provider} stack running (Kafka ${stack.kafka.version}, ClickHouse ${stack.clickhouse.version}); data in ${dir}; Ctrl-C stops it`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error('# stopping...');
    void stack.stop().then(() => process.exit(0));
  });
}
