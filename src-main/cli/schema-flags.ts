/**
 * Command-line flags read from the zod schemas the app validates the same parameters with (a job's parameters, a
 * channel's input), so that `cwb` and the screens accept exactly the same values. A flag's type, bounds, choices and
 * default come from zod's own JSON Schema of the field: the help line states them ("1 ≤ N ≤ 10,000,000; default
 * 10,000") and a refused value is named in one line with the same words.
 */
import { z } from 'zod';
import { UsageError, type FlagSpec } from './command';

type Flags = Record<string, string | true>;

/** A flag tied to one field of a schema; `fallback` is the command line's own default (else the schema's). */
export interface SchemaFlag<T> extends FlagSpec {
  value: string;
  field: z.ZodType<T>;
  fallback?: T;
}

interface FieldFacts {
  type?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  default?: unknown;
}

const facts = (field: z.ZodType): FieldFacts =>
  z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as FieldFacts;

const figure = (value: unknown): string =>
  typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(value);

/** What a field accepts, in the flag's words: "a whole number, 1 ≤ N ≤ 10,000", "one of uniform|beta". */
function acceptedWords(placeholder: string, field: FieldFacts): string {
  if (field.enum) return `one of ${field.enum.join('|')}`;
  const kind = field.type === 'integer' ? 'a whole number' : 'a number';
  const lower =
    field.exclusiveMinimum !== undefined
      ? `${figure(field.exclusiveMinimum)} < `
      : field.minimum !== undefined
        ? `${figure(field.minimum)} ≤ `
        : '';
  const upper =
    field.exclusiveMaximum !== undefined
      ? ` < ${figure(field.exclusiveMaximum)}`
      : field.maximum !== undefined
        ? ` ≤ ${figure(field.maximum)}`
        : '';
  return lower || upper ? `${kind}, ${lower}${placeholder}${upper}` : kind;
}

/** The default a flag takes when it is absent: the command line's own, else the schema's. */
function defaultOf<T>(spec: SchemaFlag<T>): T | undefined {
  return spec.fallback !== undefined ? spec.fallback : (facts(spec.field).default as T | undefined);
}

/**
 * A flag for one schema field. Its help line is `description` followed by what the field accepts and its default,
 * e.g. schemaFlag('samples', 'N', stress.shape.samples, 'number of scenarios', 10_000).
 */
export function schemaFlag<T>(
  name: string,
  value: string,
  field: z.ZodType<T>,
  description: string,
  fallback?: T,
): SchemaFlag<T> {
  const spec: SchemaFlag<T> = { name, value, field, description, ...(fallback !== undefined ? { fallback } : {}) };
  const fallbackValue = defaultOf(spec);
  const accepted = acceptedWords(value, facts(field));
  spec.description = `${description} [${accepted}${fallbackValue !== undefined ? `; default ${figure(fallbackValue)}` : ''}]`;
  return spec;
}

/** The flag's value checked by its schema field, or undefined when it is absent and has no default. */
export function optionalFlag<T>(flags: Flags, spec: SchemaFlag<T>): T | undefined {
  const raw = flags[spec.name];
  if (raw === undefined) return defaultOf(spec);
  const field = facts(spec.field);
  const numeric = field.type === 'number' || field.type === 'integer';
  const text = raw === true ? '' : raw;
  const candidate = numeric ? (text.trim() === '' ? Number.NaN : Number(text)) : text;
  const parsed = spec.field.safeParse(candidate);
  if (!parsed.success)
    throw new UsageError(`--${spec.name} must be ${acceptedWords(spec.value, field)}, got "${text}"`);
  return parsed.data;
}

/** The flag's value checked by its schema field; a flag without a default must be given. */
export function requiredFlag<T>(flags: Flags, spec: SchemaFlag<T>): T {
  const value = optionalFlag(flags, spec);
  if (value === undefined)
    throw new UsageError(`--${spec.name} ${spec.value} is required (${acceptedWords(spec.value, facts(spec.field))})`);
  return value;
}
