import { renderMigrations } from '../../../src/schema/render-schema.ts';
import type { SchemaTarget } from '../../../src/schema/schema-target.ts';

/** The three renderings the tests pin down, as HIP-47 deploys them (database `hanzo`). */
export const RENDERINGS: Readonly<Record<string, SchemaTarget>> = {
  unclustered: { database: 'hanzo' },
  clustered: { database: 'hanzo', cluster: '{cluster}' },
  'clustered-distributed': { database: 'hanzo', cluster: '{cluster}', distributed: true },
};

/** Every migration's up then down, each statement ending with `;`, headed by a comment. */
export function renderingScript(target: SchemaTarget): string {
  const out: string[] = [];
  for (const migration of renderMigrations(target)) {
    for (const direction of ['up', 'down'] as const) {
      out.push(`-- ${migration.id} ${direction}\n`);
      for (const statement of migration[direction]) out.push(`${statement.sql};\n\n`);
    }
  }
  return out.join('');
}
