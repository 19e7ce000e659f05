/**
 * How a configuration variable is declared: a zod schema that reads the variable's raw
 * string (an empty value counts as unset) and carries, as its metadata, what the README's
 * table and the start-up error say about it. Every section file builds its variables with
 * these helpers, so each one is typed, ranged and documented in one place.
 */
import { z } from 'zod';

export interface VariableDoc {
  /** What values are allowed, as the error line says it: "an integer from 1 to 100". */
  allowed: string;
  /** What the variable does (README). */
  description: string;
  /** The default as the README shows it; none when unset means "not configured". */
  defaultText?: string;
  /** Never echoed back in an error line. */
  secret?: boolean;
}

/** A variable: parses `string | undefined` into its typed value. */
export type Variable = z.ZodType<unknown, string | undefined>;
/** A section of the configuration: variable name → its declaration. */
export type Section = Record<string, Variable>;

const unsetWhenEmpty = (value: unknown) => (value === '' ? undefined : value);

function declare<T extends z.ZodType>(schema: T, doc: VariableDoc) {
  return z.preprocess(unsetWhenEmpty, schema).meta({ ...doc }) as unknown as z.ZodType<z.output<T>, string | undefined>;
}

/** The documentation a variable carries (for the error line and the README). */
export const docOf = (variable: Variable): VariableDoc => variable.meta() as unknown as VariableDoc;

interface Common<T> {
  default?: T;
  doc: string;
  /** The default as the README shows it, when it is not simply the value (e.g. "1 MiB"). */
  defaultText?: string;
}

/** What a variable reads as: its type, or undefined too when it has no default. */
type Read<T, D> = z.ZodType<D extends undefined ? T | undefined : T, string | undefined>;

const wholeNumber = z.string().trim().regex(/^[+-]?\d+$/).transform(Number);

/**
 * An integer within a range; `unit` (e.g. "ms") is shown in what is allowed. `orZero`: 0 is
 * allowed too, below the range (a switch: "0 = off").
 */
export function integer<D extends number | undefined = undefined>(options: Common<D> & { min: number; max: number; unit?: string; orZero?: boolean }) {
  const { min, max, unit, orZero } = options;
  const ranged = wholeNumber.pipe(z.number().int().refine((value) => (orZero && value === 0) || (value >= min && value <= max)));
  const allowed = `an integer from ${min} to ${max}${unit ? ` (${unit})` : ''}${orZero ? ', or 0' : ''}`;
  const doc = { allowed, description: options.doc, defaultText: options.defaultText ?? (options.default === undefined ? undefined : String(options.default)) };
  return (options.default === undefined ? declare(ranged.optional(), doc) : declare(ranged.default(options.default), doc)) as Read<number, D>;
}

/** A decimal number within a range (a share, a ratio). */
export function decimal(options: Common<number> & { min: number; max: number }) {
  const { min, max } = options;
  const ranged = z.string().trim().regex(/^[+-]?(\d+\.?\d*|\.\d+)$/).transform(Number).pipe(z.number().min(min).max(max));
  const doc = { allowed: `a number from ${min} to ${max}`, description: options.doc, defaultText: options.defaultText ?? (options.default === undefined ? undefined : String(options.default)) };
  return declare(options.default === undefined ? ranged.optional() : ranged.default(options.default), doc);
}

/** `true` or `false`. */
export function flag(options: Common<boolean>) {
  const schema = z.enum(['true', 'false']).transform((value) => value === 'true');
  return declare(schema.default(options.default ?? false), { allowed: 'true or false', description: options.doc, defaultText: String(options.default ?? false) });
}

/** One of a fixed list of words. */
export function oneOf<const V extends readonly [string, ...string[]], D extends V[number] | undefined = undefined>(values: V, options: Common<D>) {
  const schema = z.enum(values);
  const allowed = `one of ${values.join(', ')}`;
  const doc = { allowed, description: options.doc, defaultText: options.defaultText ?? options.default };
  return (options.default === undefined ? declare(schema.optional(), doc) : declare(schema.default(options.default as never), doc)) as Read<V[number], D>;
}

/** Free text, optionally matching `pattern` (described by `allowed`). */
export function text<D extends string | undefined = undefined>(options: Common<D> & { allowed?: string; pattern?: RegExp; secret?: boolean; minLength?: number }) {
  let schema = z.string();
  if (options.pattern) schema = schema.regex(options.pattern);
  if (options.minLength) schema = schema.refine((value) => new TextEncoder().encode(value).length >= options.minLength!);
  const doc = {
    allowed: options.allowed ?? 'any text',
    description: options.doc,
    defaultText: options.defaultText ?? options.default,
    secret: options.secret,
  };
  return (options.default === undefined ? declare(schema.optional(), doc) : declare(schema.default(options.default), doc)) as Read<string, D>;
}

/** A URL whose scheme is one of `schemes` (e.g. ['https:']). */
export function url(options: Common<string> & { schemes: string[] }) {
  const schema = z.string().refine((value) => {
    try {
      return options.schemes.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  });
  return declare(schema.optional(), {
    allowed: `a URL starting with ${options.schemes.map((scheme) => `${scheme}//`).join(' or ')}`,
    description: options.doc,
    defaultText: options.defaultText,
  });
}

/** Comma-separated items, each matching `item` (described by `allowed`). */
export function list(options: Common<string[]> & { item: RegExp; allowed: string }) {
  const schema = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)).pipe(z.array(z.string().regex(options.item)));
  return declare(schema.default([]), { allowed: options.allowed, description: options.doc, defaultText: options.defaultText });
}
