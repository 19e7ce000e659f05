/** The platform's resolvers: the entry points that take credit codes, and the registry's fields. */
import DataLoader from 'dataloader';
import { checkSubjectCode, type SubjectKind } from '../kit/codes.js';
import { badInput } from '../kit/errors.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import type { SubgraphContext } from '../kit/server.js';
import { MAX_KEYS_PER_STATEMENT } from '../kit/lists/store.js';
import type { RegisteredSubject, SubjectRegistry } from './registry.js';
import type { QueryCheckCreditCodeArgs, QuerySubjectArgs, QuerySubjectsArgs, Resolvers } from './__generated__/resolvers-types.js';

export const MAX_SUBJECTS_PER_REQUEST = 1000;

export interface PlatformLoaders {
  registeredSubject: DataLoader<string, RegisteredSubject | null>;
}

/** What the platform's resolvers see of a request. */
export type PlatformContext = SubgraphContext & { loaders: PlatformLoaders };
type Context = PlatformContext;

export function createPlatformLoaders(registry: SubjectRegistry): PlatformLoaders {
  return {
    registeredSubject: new DataLoader((codes) => registry.findMany(codes), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
  };
}

/** A subject as the platform resolves it: its code, and what the code itself tells. */
export interface SubjectParent {
  creditCode: string;
  subjectType: SubjectKind;
  regionCode: string;
}

export function subjectOf(creditCode: string): SubjectParent {
  const check = checkSubjectCode(creditCode);
  if (!check.valid) throw badInput(`"${check.code}" is not a valid credit code: ${check.reason}`, { creditCode: check.code });
  return { creditCode: check.code, subjectType: check.kind, regionCode: check.regionCode };
}

const registered = (subject: { creditCode: string }, ctx: Context) => ctx.loaders.registeredSubject.load(subject.creditCode);

/**
 * What the code tells, for a subject given by its code alone (a screening item, a
 * warning-list or consolidated-list member): every path to a Subject answers every leaf.
 */
const toldByCode = (subject: { creditCode: string } & Partial<SubjectParent>): SubjectParent =>
  subject.subjectType && subject.regionCode ? (subject as SubjectParent) : subjectOf(subject.creditCode);

export function platformResolvers(): Resolvers<Context> {
  return {
    Query: {
      subject: (_: unknown, args: QuerySubjectArgs) => subjectOf(requireValidCode(args.creditCode, 'creditCode')),
      subjects(_: unknown, args: QuerySubjectsArgs) {
        if (args.creditCodes.length > MAX_SUBJECTS_PER_REQUEST) {
          throw badInput(
            `At most ${MAX_SUBJECTS_PER_REQUEST} codes per request, got ${args.creditCodes.length}: split the codes into several requests`,
            { argument: 'creditCodes' },
          );
        }
        // An invalid code becomes an error at its own position; graphql-js reports an
        // Error list item with the item's path and answers the rest.
        return args.creditCodes.map((code, index) => {
          const check = checkSubjectCode(code);
          return check.valid
            ? { creditCode: check.code, subjectType: check.kind, regionCode: check.regionCode }
            : badInput(`creditCodes[${index}] "${check.code}" is not a valid credit code: ${check.reason}`, {
                argument: 'creditCodes',
                index,
                creditCode: check.code,
              });
        });
      },
      checkCreditCode(_: unknown, args: QueryCheckCreditCodeArgs) {
        const check = checkSubjectCode(args.code);
        return check.valid
          ? { code: check.code, valid: true, subjectType: check.kind, regionCode: check.regionCode, reason: null }
          : { code: check.code, valid: false, subjectType: null, regionCode: null, reason: check.reason };
      },
    },
    Subject: {
      __resolveReference: (reference: { creditCode: string }) => subjectOf(reference.creditCode),
      subjectType: (subject: SubjectParent) => toldByCode(subject).subjectType,
      regionCode: (subject: SubjectParent) => toldByCode(subject).regionCode,
      registered: async (subject: SubjectParent, _: unknown, ctx: Context) => (await registered(subject, ctx)) !== null,
      name: async (subject: SubjectParent, _: unknown, ctx: Context) => (await registered(subject, ctx))?.name ?? null,
      industry: async (subject: SubjectParent, _: unknown, ctx: Context) => (await registered(subject, ctx))?.industry ?? null,
      legalRepresentative: async (subject: SubjectParent, _: unknown, ctx: Context) =>
        (await registered(subject, ctx))?.legalRepresentative ?? null,
    },
  };
}
