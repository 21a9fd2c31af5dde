/**
 * A SELECT over `base` computing `aliases` (in dependency order), nested in stages: each
 * stage a subquery computing the aliases whose inputs the stages below it computed.
 * ClickHouse's analyzer expands an alias into its expression at every use, so one flat
 * SELECT of these chained aliases grows past the query-tree limit; columns of a subquery are
 * plain references. `outer` names the output columns.
 */
export function stagedSelect(
  base: string,
  aliases: readonly (readonly [string, string])[],
  outer: readonly string[],
): string {
  const names = new Set(aliases.map(([a]) => a));
  const stageOf = new Map<string, number>();
  for (const [alias, expression] of aliases) {
    let stage = 0;
    for (const used of expression.match(/\bp_[A-Za-z0-9_]+\b/g) ?? []) {
      if (!names.has(used)) continue;
      const at = stageOf.get(used);
      if (at === undefined)
        throw new Error(`staged select: ${alias} uses ${used} before it is defined`);
      stage = Math.max(stage, at + 1);
    }
    stageOf.set(alias, stage);
  }
  const stages = Math.max(0, ...stageOf.values()) + 1;
  let sql = base;
  for (let stage = 0; stage < stages; stage++) {
    const here = aliases.filter(([a]) => stageOf.get(a) === stage);
    if (here.length === 0) continue;
    sql = `SELECT *,\n${here.map(([a, e]) => `    ${e} AS ${a}`).join(',\n')}\nFROM (\n${sql}\n)`;
  }
  return `SELECT\n${outer.map((c) => `    ${c}`).join(',\n')}\nFROM (\n${sql}\n)`;
}
