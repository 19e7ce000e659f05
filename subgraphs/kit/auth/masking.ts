/**
 * Personal data, field by field: every field the SDL marks `@personal` is masked unless
 * the principal may read it and has stated a purpose; every unmasked read is noted on
 * the request so the gateway can write it to the access register, keyed by the person
 * whose data it is (`owner.person`, e.g. a legal representative's own document number,
 * else the subject's code). Fails closed: a value whose owner is unknown — no code to
 * register it under, or an unknown subject type or publication where those decide — is masked.
 */
import { getDirective } from '@graphql-tools/utils';
import { GraphQLSchema, isObjectType, Kind, type DocumentNode } from 'graphql';
import type { IMiddleware } from 'graphql-middleware';
import { maskIdentityNumber, maskPersonName } from '../masking.js';
import { isPersonalFor, mayReadPersonalData, type DataOwner } from './policy.js';
import type { AuthContext } from './context.js';

export interface PersonalField {
  type: string;
  field: string;
  mask: 'NAME' | 'IDENTITY_NUMBER';
  /** When the value counts as personal: always, for natural persons only, or on unpublished records only. */
  when: 'ALWAYS' | 'NATURAL_PERSON' | 'UNPUBLISHED';
}

export interface PersonalDataRead {
  subgraph: string;
  /** Whose data was read: the person's own code or number. */
  creditCode: string;
  field: string;
  /** The kind of that person, where the code does not tell (a passport number, say). */
  subjectType?: string;
}

export function personalFields(schema: GraphQLSchema): PersonalField[] {
  const fields: PersonalField[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const [directive] = getDirective(schema, field, 'personal') ?? [];
      if (directive) fields.push({ type: type.name, field: field.name, mask: directive.mask, when: directive.when ?? 'ALWAYS' });
    }
  }
  return fields;
}

/** A field's `@personal` marking by its coordinate (`Type.field`), as `schema` has it; throws if it has none. */
export function personalField(schema: GraphQLSchema, coordinate: string): PersonalField {
  let fields = fieldsBySchema.get(schema);
  if (!fields) fieldsBySchema.set(schema, (fields = new Map(personalFields(schema).map((f) => [`${f.type}.${f.field}`, f]))));
  return markedOrThrow(fields.get(coordinate), coordinate);
}
const fieldsBySchema = new WeakMap<GraphQLSchema, Map<string, PersonalField>>();

/**
 * The same, read from SDL not yet built into a schema — for a path that serves a type's
 * fields outside GraphQL (a webhook's body is the `ChangeEvent` type) and has no schema at hand.
 */
export function personalFieldInSdl(document: DocumentNode, coordinate: string): PersonalField {
  const [typeName, fieldName] = coordinate.split('.');
  for (const definition of document.definitions) {
    if ((definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) || definition.name.value !== typeName) continue;
    const directive = definition.fields?.find((f) => f.name.value === fieldName)?.directives?.find((d) => d.name.value === 'personal');
    if (!directive) continue;
    const argument = (name: string) => {
      const node = directive.arguments?.find((a) => a.name.value === name)?.value;
      return node?.kind === Kind.STRING ? node.value : undefined;
    };
    return { type: typeName, field: fieldName, mask: argument('mask') as PersonalField['mask'], when: (argument('when') ?? 'ALWAYS') as PersonalField['when'] };
  }
  return markedOrThrow(undefined, coordinate);
}

function markedOrThrow(field: PersonalField | undefined, coordinate: string): PersonalField {
  // A coding error, met at start: the path names a field the SDL does not mark.
  if (!field) throw new Error(`${coordinate} is not marked @personal in the SDL; mark it, or do not treat it as personal data`);
  return field;
}

/** The owner of a personal value: the record it hangs from, or the parent itself; null when unknown. */
function ownerOf(parent: any): DataOwner | null {
  const owner = parent?.owner ?? parent;
  return typeof owner?.creditCode === 'string' && owner.creditCode ? owner : null;
}

const maskers = { NAME: maskPersonName, IDENTITY_NUMBER: maskIdentityNumber };

/**
 * One personal value as the principal may have it: as it is (not personal for this owner, or
 * readable with the stated purpose — then the read is noted on `ctx` for the access register),
 * else masked. The one rule, for GraphQL fields (`maskingMiddleware`) and exports alike.
 */
export function personalValue(field: PersonalField, subgraph: string, value: unknown, parent: any, ctx: AuthContext): unknown {
  if (typeof value !== 'string') return value;
  const owner = ownerOf(parent);
  if (owner && !isPersonalFor(field.when, owner)) return value;
  // No principal (a request that did not come through the gateway) reads nothing unmasked.
  if (owner && ctx.principal && mayReadPersonalData(ctx.principal, ctx.purpose)) {
    const person = owner.person ? { creditCode: owner.person, subjectType: owner.personType ?? 'NATURAL_PERSON' } : { creditCode: owner.creditCode };
    ctx.personalDataReads.push({ subgraph, ...person, field: `${field.type}.${field.field}` });
    return value;
  }
  return maskedValue(field, value);
}

/** The value as `field`'s mask shows it. */
export function maskedValue(field: PersonalField, value: string): string {
  return maskers[field.mask](value);
}

/**
 * A subject a text is about, as far as masking goes: an entry (its code, name, subject type,
 * publication and legal representative), or several (a subject's file is about all its entries).
 */
export interface MentionedSubject {
  creditCode: string;
  subjectName?: string | null;
  subjectType?: string | null;
  published?: boolean | null;
  legalRepresentative?: { name?: string | null; idDocumentNumber?: string | null } | null;
}

/** The fields the SDL marks `@mentionsSubject`, by coordinate. */
export function mentioningFields(schema: GraphQLSchema): { type: string; field: string }[] {
  const fields: { type: string; field: string }[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) if (getDirective(schema, field, 'mentionsSubject')?.length) fields.push({ type: type.name, field: field.name });
  }
  return fields;
}

/**
 * Free text about `about`, as `ctx`'s reader may have it: each personal value of the subject
 * found in it goes through the one rule (`personalValue`) with the marking the schema gives its
 * own field — masked in the text where that field is masked, else left and registered as a read
 * of the text's own field (`coordinate`), under the person the value is of.
 */
export function personalValuesInText(text: string, about: MentionedSubject | readonly MentionedSubject[], coordinate: string, schema: GraphQLSchema, subgraph: string, ctx: AuthContext): string {
  const [type, field] = coordinate.split('.');
  const values: { value: string; marking: string; owner: unknown }[] = [];
  for (const subject of Array.isArray(about) ? about : [about as MentionedSubject]) {
    const representative = subject.legalRepresentative;
    for (const [value, marking, owner] of [
      [subject.creditCode, 'ListEntry.creditCode', subject],
      [subject.subjectName, 'ListEntry.subjectName', subject],
      [representative?.idDocumentNumber, 'LegalRepresentative.idDocumentNumber', representative],
      [representative?.name, 'LegalRepresentative.name', representative],
    ] as const) {
      if (value) values.push({ value, marking, owner });
    }
  }
  // Longest first: a value inside a longer one (a name that begins another) must not leave the rest showing.
  values.sort((a, b) => b.value.length - a.value.length);
  let shown = text;
  for (const { value, marking, owner } of values) {
    const rule = personalField(schema, marking);
    const written = writtenForms(value, rule.mask);
    if (shown.search(written) === -1) continue;
    const as = personalValue({ ...rule, type, field }, subgraph, value, owner, ctx);
    if (as !== value) shown = shown.replace(written, () => String(as));
  }
  return shown;
}

/**
 * The ways a value may be written in free text, as one pattern: in either case, in full-width
 * forms (１１０１…, Ｘ), with spaces inside (罗 秀 霞, 110105 19970302 8602) — and an identity
 * number also without its check character. Other fragments (a birth date alone) are not found.
 */
function writtenForms(value: string, mask: PersonalField['mask']): RegExp {
  const loose = (chars: string[]) => chars.map(characterForms).join('[\\s\\u3000]*');
  const chars = [...value];
  const forms = [loose(chars)];
  if (mask === 'IDENTITY_NUMBER' && chars.length === 18) forms.push(`${loose(chars.slice(0, 17))}(?![\\s\\u3000]*[0-9Xx０-９Ｘｘ])`);
  return new RegExp(forms.join('|'), 'gu');
}

/** One character as a class of its forms: itself, its other case, its full-width form. */
function characterForms(char: string): string {
  const forms = new Set([char, char.toLowerCase(), char.toUpperCase()]);
  for (const form of [...forms]) {
    const code = form.codePointAt(0)!;
    if (code >= 0x21 && code <= 0x7e) forms.add(String.fromCodePoint(code + 0xfee0));
  }
  return `[${[...forms].map((f) => f.replace(/[\\\]\[^-]/g, '\\$&')).join('')}]`;
}

/** What a mentioning field's text is about: the `about` its resolver attached, or the entry it hangs from. */
function aboutOf(parent: any): MentionedSubject | MentionedSubject[] | null {
  if (parent?.about) return parent.about;
  return typeof parent?.creditCode === 'string' && 'subjectName' in parent ? parent : null;
}

/**
 * A `@mentionsSubject` field's value as the reader may have it, for GraphQL fields
 * (`maskingMiddleware`) and exports alike. A mutation's answer echoes what its caller just
 * wrote and carries no `about`: there is no one else's text to mask in it.
 */
export function mentioningValue(coordinate: string, value: unknown, parent: any, schema: GraphQLSchema, subgraph: string, ctx: AuthContext): unknown {
  const about = aboutOf(parent);
  return typeof value === 'string' && about ? personalValuesInText(value, about, coordinate, schema, subgraph, ctx) : value;
}

export function maskingMiddleware(schema: GraphQLSchema, subgraph: string): IMiddleware {
  const middleware: Record<string, Record<string, any>> = {};
  for (const field of personalFields(schema)) {
    middleware[field.type] ??= {};
    middleware[field.type][field.field] = async (resolve: any, parent: any, args: any, ctx: AuthContext, info: any) =>
      personalValue(field, subgraph, await resolve(parent, args, ctx, info), parent, ctx);
  }
  for (const { type, field } of mentioningFields(schema)) {
    middleware[type] ??= {};
    middleware[type][field] = async (resolve: any, parent: any, args: any, ctx: AuthContext, info: any) =>
      mentioningValue(`${type}.${field}`, await resolve(parent, args, ctx, info), parent, schema, subgraph, ctx);
  }
  return middleware as IMiddleware;
}
