import { z } from 'zod';

/**
 * How a setting's text in the environment becomes a value, read from its zod type so it is
 * never declared apart from the type: a number is a whole number, an array a comma list, a
 * record `key=value` pairs.
 */
export type SettingKind = 'string' | 'int' | 'bool' | 'list' | 'map';

/** One setting as declared in a section table (settings/*.ts). */
interface SettingFields<T extends z.ZodType> {
  /** The environment variable that sets it. */
  readonly env: string;
  /** Type and validation of the value (environment text is parsed by the type's kind first). */
  readonly type: T;
  /** One line for the reference (docs/configuration.md, `check-config --reference`). */
  readonly doc: string;
  /** Never printed: masked by check-config and the start-up log, its value left out of errors. */
  readonly secret?: true;
  /** Also read from the file named by `<env>_FILE` (mounted secrets). */
  readonly fromFile?: true;
}

/** A declared setting: its zod schema (default or optionality applied) and what the env needs. */
export interface Setting<S extends z.ZodType = z.ZodType> {
  readonly env: string;
  readonly doc: string;
  readonly kind: SettingKind;
  readonly secret: boolean;
  readonly fromFile: boolean;
  readonly schema: S;
}

/** A nested object of settings (`kafka.ssl`, a whole section). */
export interface Group<S extends z.ZodType = z.ZodType> {
  readonly settings: Settings;
  readonly schema: S;
}

/** A table of settings keyed by their path inside the enclosing object. */
export type Settings = Readonly<Record<string, Setting | Group>>;

type ShapeOf<E extends Settings> = { -readonly [K in keyof E]: E[K]['schema'] };
type ObjectOf<E extends Settings> = z.ZodObject<ShapeOf<E>, z.core.$strict>;

export function setting<T extends z.ZodType>(
  fields: SettingFields<T> & { readonly default: z.output<T> },
): Setting<z.ZodDefault<T>>;
export function setting<T extends z.ZodType>(
  fields: SettingFields<T> & { readonly optional: true },
): Setting<z.ZodOptional<T>>;
/** Neither a default nor optional: the setting is required. */
export function setting<T extends z.ZodType>(fields: SettingFields<T>): Setting<T>;
export function setting(
  fields: SettingFields<z.ZodType> & { readonly default?: unknown; readonly optional?: true },
): Setting {
  const { env, type, doc } = fields;
  // zod returns a default as is, unchecked: a default its own type refuses is a declaration
  // mistake, found when the module loads (every test imports it).
  if (fields.default !== undefined && !type.safeParse(fields.default).success) {
    throw new Error(`${env}: the default ${JSON.stringify(fields.default)} fails its own type`);
  }
  const schema =
    fields.default !== undefined
      ? // The overloads tie the default's type to `type`; this signature cannot say so.
        type.default(fields.default as never)
      : fields.optional === true
        ? type.optional()
        : type;
  const secret = fields.secret === true;
  return { env, doc, kind: kindOf(type, env), secret, fromFile: fields.fromFile === true, schema };
}

/** A nested object whose settings all have defaults: left out, it takes them. */
export function group<E extends Settings>(settings: E): Group<z.ZodDefault<ObjectOf<E>>> {
  const object = z.strictObject(shapeOf(settings));
  const defaults = object.parse({}) as z.util.NoUndefined<z.output<typeof object>>;
  return { settings, schema: object.default(defaults) };
}

/** A nested object that must be given (it holds a required setting). */
export function requiredGroup<E extends Settings>(settings: E): Group<ObjectOf<E>> {
  return { settings, schema: z.strictObject(shapeOf(settings)) };
}

/** A nested object that may be left out as a whole, but is complete when given. */
export function optionalGroup<E extends Settings>(settings: E): Group<z.ZodOptional<ObjectOf<E>>> {
  return { settings, schema: z.strictObject(shapeOf(settings)).optional() };
}

/** The zod shape of a table: each key's schema. */
export function shapeOf<E extends Settings>(settings: E): ShapeOf<E> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, entry]) => [key, entry.schema]),
  ) as ShapeOf<E>;
}

export function isGroup(entry: Setting | Group): entry is Group {
  return 'settings' in entry;
}

const KIND_OF_ZOD_TYPE: Readonly<Record<string, SettingKind>> = {
  string: 'string',
  enum: 'string',
  number: 'int',
  boolean: 'bool',
  array: 'list',
  record: 'map',
};

function kindOf(type: z.ZodType, env: string): SettingKind {
  const kind = KIND_OF_ZOD_TYPE[type.def.type];
  if (kind === undefined) throw new Error(`${env}: no environment kind for a ${type.def.type}`);
  return kind;
}
