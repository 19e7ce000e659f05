/**
 * Personal data, field by field: every field the SDL marks `@personal` is masked unless
 * the principal may read it and has stated a purpose; every unmasked read is noted on
 * the request so the gateway can write it to the access register.
 */
import { getDirective } from '@graphql-tools/utils';
import { GraphQLSchema, isObjectType } from 'graphql';
import type { IMiddleware } from 'graphql-middleware';
import { maskIdentityNumber, maskPersonName } from '../masking.js';
import { mayReadPersonalData, type DataOwner } from './policy.js';
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
  creditCode: string;
  field: string;
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

/** The owner of a personal value: the parent itself, or the record it hangs from. */
const ownerOf = (parent: any): DataOwner => ({ published: true, ...(parent?.owner ?? parent) });

function isPersonal(field: PersonalField, owner: DataOwner): boolean {
  if (field.when === 'NATURAL_PERSON') return owner.subjectType === 'NATURAL_PERSON';
  if (field.when === 'UNPUBLISHED') return !owner.published;
  return true;
}

const maskers = { NAME: maskPersonName, IDENTITY_NUMBER: maskIdentityNumber };

export function maskingMiddleware(schema: GraphQLSchema, subgraph: string): IMiddleware {
  const middleware: Record<string, Record<string, any>> = {};
  for (const field of personalFields(schema)) {
    middleware[field.type] ??= {};
    middleware[field.type][field.field] = async (resolve: any, parent: any, args: any, ctx: AuthContext, info: any) => {
      const value = await resolve(parent, args, ctx, info);
      if (typeof value !== 'string' || !ctx.principal) return value;
      const owner = ownerOf(parent);
      if (!isPersonal(field, owner)) return value;
      if (mayReadPersonalData(ctx.principal, ctx.purpose)) {
        ctx.personalDataReads.push({ subgraph, creditCode: owner.creditCode, field: `${field.type}.${field.field}` });
        return value;
      }
      return maskers[field.mask](value);
    };
  }
  return middleware as IMiddleware;
}
