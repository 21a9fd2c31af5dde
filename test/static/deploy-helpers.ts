/**
 * Shared by the deployment checks (deploy-*.test.ts): reading the YAML files, validating
 * Kubernetes objects against the schemas bundled in kubernetes-models (+ KEDA and Prometheus
 * Operator models), and the configuration's real variable names. No network is used.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { CONFIG_FILE_ENV, ENV_SETTINGS } from '../../src/config/env-settings.ts';

export const repoRoot = join(import.meta.dirname, '../..');

/** Every YAML document of a file as plain data (merge keys resolved, as Compose does). */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  if (!Array.isArray(docs)) return [];
  return docs.flatMap((doc) => {
    if (doc.errors.length > 0) {
      throw new Error(
        `${relative(repoRoot, file)}: ${doc.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function readYaml(file: string): Record<string, unknown> {
  const [doc] = readYamlDocuments(file);
  if (!isRecord(doc)) throw new Error(`${relative(repoRoot, file)}: not a YAML mapping`);
  return doc;
}

export function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Walks a dotted path through nested records and arrays ("spec.template.spec.containers.0"). */
export function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isRecord(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Every environment variable name the worker reads (settings, *_FILE forms, config file). */
export function configEnvNames(): Set<string> {
  const names = new Set<string>([CONFIG_FILE_ENV]);
  for (const s of ENV_SETTINGS) {
    names.add(s.env);
    if (s.fromFile === true) names.add(`${s.env}_FILE`);
  }
  return names;
}

export interface KubernetesObject {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly data: Record<string, unknown>;
}

/** Model packages by API group; core and built-in groups come from kubernetes-models. */
const MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'keda.sh': '@kubernetes-models/keda',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/** The module exporting the model class and `I<Kind>` interface of an apiVersion. */
export function modelModule(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const pkg = MODEL_PACKAGES[group] ?? 'kubernetes-models';
  return `${pkg}/${apiVersion}`;
}

export function asKubernetesObject(file: string, data: unknown): KubernetesObject {
  const apiVersion = at(data, 'apiVersion');
  const kind = at(data, 'kind');
  const name = at(data, 'metadata.name');
  if (!isRecord(data) || typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new Error(`${relative(repoRoot, file)}: not a Kubernetes object (apiVersion, kind)`);
  }
  return { file, apiVersion, kind, name: typeof name === 'string' ? name : '', data };
}

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

/**
 * Runtime validation against the object's OpenAPI schema (types, enums, formats, required
 * fields): the bundled validators of kubernetes-models. Returns the problems, empty if valid.
 */
export async function validateWithSchema(object: KubernetesObject): Promise<string[]> {
  const module = (await import(modelModule(object.apiVersion))) as Record<string, unknown>;
  const Model = module[object.kind] as ModelClass | undefined;
  if (Model === undefined) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object.data).validate();
    return [];
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

/**
 * The schemas' validators accept unknown fields (OpenAPI objects are open), but the API
 * server rejects them (kubectl's default field validation is Strict). TypeScript's excess
 * property check on object literals catches them at every depth: each object is written as
 * a literal typed with its model interface and type-checked in memory.
 */
export function findUnknownFields(objects: readonly KubernetesObject[]): string[] {
  const virtualFile = join(repoRoot, 'test/static/.deploy-manifests.virtual.ts');
  const lines: string[] = [];
  const imports = new Map<string, string>();
  objects.forEach((object, i) => {
    const alias = `I${object.kind}_${imports.size}`;
    const key = `${modelModule(object.apiVersion)}#${object.kind}`;
    if (!imports.has(key)) imports.set(key, alias);
    lines.push(
      `// ${i}\nexport const o${i}: ${imports.get(key)} = ${JSON.stringify(object.data)};`,
    );
  });
  const header = [...imports].map(([key, alias]) => {
    const [module, kind] = key.split('#');
    return `import type { I${kind} as ${alias} } from '${module}';`;
  });
  const source = `${header.join('\n')}\n${lines.join('\n')}\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    exactOptionalPropertyTypes: false,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2024,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const onDisk = ts.createCompilerHost(options);
  host.getSourceFile = (name, version, ...rest) =>
    name === virtualFile
      ? ts.createSourceFile(name, source, version)
      : onDisk.getSourceFile(name, version, ...rest);
  host.fileExists = (name) => name === virtualFile || onDisk.fileExists(name);
  host.readFile = (name) => (name === virtualFile ? source : onDisk.readFile(name));
  const program = ts.createProgram([virtualFile], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics.map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return text;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const marker = /^\/\/ (\d+)$/;
    let index = -1;
    for (let l = line; l >= 0 && index < 0; l--) {
      const m = marker.exec(source.split('\n')[l] ?? '');
      if (m !== null) index = Number(m[1]);
    }
    const object = objects[index];
    return object === undefined
      ? text
      : `${relative(repoRoot, object.file)} ${object.kind}/${object.name}: ${text}`;
  });
}
