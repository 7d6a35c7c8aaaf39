/**
 * zod schema → OpenAPI 3.1 Schema Object, through zod's own `z.toJSONSchema` (JSON Schema 2020-12, which OpenAPI 3.1
 * uses as is). The only work left is placement: a recursive schema (the JSON value of `payload`) comes out with
 * `$defs` and `"$ref": "#/$defs/…"`, which would point at the wrong place once the schema is embedded in the
 * document, so definitions are moved to `components.schemas` and the references rewritten.
 */
import { z } from 'zod';

/** A JSON Schema / OpenAPI Schema Object. */
export type JsonSchema = { [key: string]: unknown };

/**
 * Request schemas are described as their input (what a client may send: defaults are optional, transforms
 * invisible); response schemas as their output (what the server sends).
 */
export type SchemaIo = 'input' | 'output';

const COMPONENTS_PREFIX = '#/components/schemas/';
const DEFS_PREFIX = '#/$defs/';

/** Component name of the recursive JSON value, found by its shape (zod names it `__schema0`). */
export const JSON_VALUE_COMPONENT = 'JsonValue';

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of `value` with every `$ref` passed through `rewrite`. */
function mapRefs(value: unknown, rewrite: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapRefs(item, rewrite));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string' ? rewrite(child) : mapRefs(child, rewrite),
    ]),
  );
}

function toJsonSchema(schema: z.ZodType, io: SchemaIo): JsonSchema {
  // `unrepresentable: 'throw'` (the default, spelled out): a schema the document cannot describe is a bug to fix here,
  // not something to paper over with `{}`.
  return z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw' });
}

/** The JSON value's shape with its self-reference neutralized, to recognize it among definitions. */
function canonical(definition: unknown, ownName: string): string {
  return JSON.stringify(mapRefs(definition, (ref) => (ref === `${DEFS_PREFIX}${ownName}` ? '#self' : ref)));
}

const JSON_VALUE_CANONICAL = (() => {
  const { $defs } = toJsonSchema(z.object({ value: z.json() }), 'output') as { $defs: Record<string, unknown> };
  const [name, definition] = Object.entries($defs)[0] ?? [];
  if (name === undefined) throw new Error('z.json() no longer produces a definition: update json-schema.ts');
  return canonical(definition, name);
})();

/**
 * Collects the document's `components.schemas` while operations are described: named schemas are referenced
 * (`{"$ref": "#/components/schemas/Event"}`), the others inlined.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly defsByShape = new Map<string, string>();
  private definitionCount = 0;

  /** The schema inline, its definitions (if any) moved to the components. */
  inline(schema: z.ZodType, io: SchemaIo): JsonSchema {
    const { $schema: _dialect, $defs, ...rest } = toJsonSchema(schema, io);
    if (!isObject($defs)) return rest;
    const names = new Map<string, string>();
    for (const [name, definition] of Object.entries($defs)) names.set(name, this.componentNameFor(definition, name));
    const rewrite = (ref: string): string => {
      const name = ref.startsWith(DEFS_PREFIX) ? names.get(ref.slice(DEFS_PREFIX.length)) : undefined;
      return name === undefined ? ref : `${COMPONENTS_PREFIX}${name}`;
    };
    for (const [name, definition] of Object.entries($defs)) {
      const component = names.get(name);
      if (component !== undefined && !(component in this.schemas)) {
        this.schemas[component] = mapRefs(definition, rewrite) as JsonSchema;
      }
    }
    return mapRefs(rest, rewrite) as JsonSchema;
  }

  /** Registers `schema` as `components.schemas[name]` and returns a reference to it. */
  named(name: string, schema: z.ZodType, io: SchemaIo): JsonSchema {
    if (name in this.schemas) throw new Error(`schema component ${name} is defined twice`);
    this.schemas[name] = this.inline(schema, io);
    return this.ref(name);
  }

  /** A reference to a component registered with `named`. */
  ref(name: string): JsonSchema {
    if (!(name in this.schemas)) throw new Error(`no schema component ${name}`);
    return { $ref: `${COMPONENTS_PREFIX}${name}` };
  }

  /** One component per distinct definition: every `payload` in the document shares `JsonValue`. */
  private componentNameFor(definition: unknown, name: string): string {
    const shape = canonical(definition, name);
    const known = this.defsByShape.get(shape);
    if (known !== undefined) return known;
    const component = shape === JSON_VALUE_CANONICAL ? JSON_VALUE_COMPONENT : `Definition${++this.definitionCount}`;
    this.defsByShape.set(shape, component);
    return component;
  }
}
