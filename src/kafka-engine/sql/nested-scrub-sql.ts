import { sqlString, sqlStringArray } from '../sql-literal.ts';

/**
 * Dotted scrub keys (`request.messages`) in SQL, as the worker's compileContentScrubber
 * applies them: a key is removed when every object on its path is a JSON object that has
 * the next key (the last duplicate, as JSON.parse reads it); then `properties` is
 * re-serialised. Each object on such a path becomes its own aliases over the staged select:
 *
 *   p_scN_raw  the object's raw JSON ('' when absent), p_scN_kv / p_scN_map its members, and,
 *   once its children are done, p_scN_changed (something at or below it was removed),
 *   p_scN_out (its members with the children's texts) and p_scN_text (the object without the
 *   removed keys, serialised as properties-sql.ts does, else unchanged).
 *
 * p_pkv_scrubbed is p_pkv with the top-level values replaced by those texts. Lambdas take
 * arrays only (the texts come in through arrayWithConstant), never capture a column.
 */
export interface NestedScrubSql {
  /** Aliases in dependency order (ancestors' members before their children's texts). */
  readonly aliases: readonly [string, string][];
  /** The alias of p_pkv with every changed top-level value replaced (same shape). */
  readonly members: string;
  /** True when some nested key was removed; undefined without dotted keys. */
  readonly changed: string | undefined;
}

interface ScrubNode {
  readonly remove: Set<string>;
  readonly children: Map<string, ScrubNode>;
}

/** `paths`: the dotted keys split at the dots, two segments or more. */
export function nestedScrubSql(paths: readonly (readonly string[])[]): NestedScrubSql {
  const root: ScrubNode = { remove: new Set(), children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.slice(0, -1)) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { remove: new Set(), children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.remove.add(path.at(-1) ?? '');
  }
  if (root.children.size === 0) return { aliases: [], members: 'p_pkv', changed: undefined };

  const declared: [string, string][] = [];
  const finished: [string, string][] = [];
  let counter = 0;
  /** Aliases for `node`, an object found under key `key` of the members `parentKv`. */
  const visit = (node: ScrubNode, key: string, parentMap: string): string => {
    const n = `p_sc${counter++}`;
    const k = sqlString(key);
    declared.push(
      [`${n}_raw`, `if(mapContains(${parentMap}, ${k}), ${parentMap}[${k}], '')`],
      [
        `${n}_kv`,
        `JSONExtractKeysAndValuesRaw(if(isValidJSON(${n}_raw) AND JSONType(${n}_raw) = 'Object', ${n}_raw, '{}'))`,
      ],
      [`${n}_map`, `CAST(arrayReverse(${n}_kv), 'Map(String, String)')`],
    );
    const children = [...node.children].map(([childKey, child]) => ({
      key: childKey,
      alias: visit(child, childKey, `${n}_map`),
    }));
    const below = children.map((c) => `${c.alias}_changed`);
    const here =
      node.remove.size === 0
        ? []
        : [`hasAny(mapKeys(${n}_map), ${sqlStringArray([...node.remove])})`];
    finished.push(
      [`${n}_changed`, [...here, ...below].join(' OR ')],
      [`${n}_out`, substitute(`${n}_kv`, children)],
      [`${n}_text`, `if(${n}_changed, ${serializeObject(`${n}_out`, [...node.remove])}, ${n}_raw)`],
    );
    return n;
  };
  const top = [...root.children].map(([key, node]) => ({ key, alias: visit(node, key, 'p_pm') }));
  return {
    aliases: [...declared, ...finished, ['p_pkv_scrubbed', substitute('p_pkv', top)]],
    members: 'p_pkv_scrubbed',
    changed: top.map((t) => `${t.alias}_changed`).join(' OR '),
  };
}

/** `kv` with the values of the `replaced` keys taken from their aliases' texts. */
function substitute(kv: string, replaced: readonly { key: string; alias: string }[]): string {
  if (replaced.length === 0) return kv;
  const params = replaced.map((_, i) => `t${i}`);
  const value = `multiIf(${replaced.map((r, i) => `kv.1 = ${sqlString(r.key)}, t${i}`).join(', ')}, kv.2)`;
  const texts = replaced.map((r) => `arrayWithConstant(length(${kv}), ${r.alias}_text)`);
  return `arrayMap((kv, ${params.join(', ')}) -> (kv.1, ${value}), ${kv}, ${texts.join(', ')})`;
}

/**
 * JSON.stringify of an object's members `kv` without `remove` (integer-like keys first in
 * ascending order, then the others in order of appearance; a duplicated key keeps its last
 * value at its last position).
 */
function serializeObject(kv: string, remove: readonly string[]): string {
  const isIndex = "match(kv.1, '^(0|[1-9][0-9]{0,9})$') AND toUInt64OrZero(kv.1) < 4294967295";
  const last = `arrayReverse(arrayMap(n -> n = 1, arrayEnumerateUniq(arrayReverse(arrayMap(kv -> kv.1, ${kv})))))`;
  const keep = remove.length === 0 ? 'last' : `last AND NOT has(${sqlStringArray(remove)}, kv.1)`;
  const kept = `arrayFilter((kv, last) -> ${keep}, ${kv}, ${last})`;
  const ordered = `arraySort((kv, i) -> (if(${isIndex}, 0, 1), if(${isIndex}, toUInt64OrZero(kv.1), toUInt64(i))), ${kept}, arrayEnumerate(${kept}))`;
  const members = `arrayMap(kv -> concat(replaceAll(toJSONString(kv.1), '\\\\/', '/'), ':', kv.2), ${ordered})`;
  return `concat('{', arrayStringConcat(${members}, ','), '}')`;
}
