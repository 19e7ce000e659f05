/**
 * The fields a department adds to the shared types, named after it: `Subject.tax`,
 * `Mutation.tax`, `Query.taxEntries`, `Query.taxObjectionAndRepairStatistics`,
 * `Query.taxInterviewsDue`.
 *
 * The list engine's resolvers are written once, for a template department whose fields are
 * named `department…` (`Query.departmentEntries`, `Subject.department`, …), so that they are
 * typed by the engine's generated `Resolvers`: `npm run codegen` adds a department's own SDL to
 * the engine's, with these names put back to the template's (scripts/codegen.ts).
 * `forDepartment` gives the template's resolvers the department's names.
 */
import type { SubgraphResolvers } from '../resolvers.js';
import type { DepartmentConfig } from './department.js';

type Names = Pick<DepartmentConfig, 'subjectField' | 'entriesQuery'>;

/** The template department: what the engine's resolvers and generated types name the fields. */
export const TEMPLATE_DEPARTMENT: Names = { subjectField: 'department', entriesQuery: 'departmentEntries' };

/** The department's statistics query: `taxObjectionAndRepairStatistics`, `courtsObjectionAndRepairStatistics`, … */
export const statisticsQueryOf = (department: Names) => `${department.subjectField}ObjectionAndRepairStatistics`;
/** The department's query of the entries due for an interview (893 §3): `taxInterviewsDue`, … */
export const interviewsDueQueryOf = (department: Names) => `${department.subjectField}InterviewsDue`;

/** Per type, each template field's name for this department. */
export function departmentFieldNames(department: Names): Record<'Query' | 'Mutation' | 'Subject', Record<string, string>> {
  const template = TEMPLATE_DEPARTMENT;
  return {
    Query: {
      [template.entriesQuery]: department.entriesQuery,
      [statisticsQueryOf(template)]: statisticsQueryOf(department),
      [interviewsDueQueryOf(template)]: interviewsDueQueryOf(department),
    },
    Mutation: { [template.subjectField]: department.subjectField },
    Subject: { [template.subjectField]: department.subjectField },
  };
}

/** A resolver map of the template department, with the department's own field names. */
export function forDepartment(department: Names, resolvers: SubgraphResolvers): SubgraphResolvers {
  const renamed: SubgraphResolvers = { ...resolvers };
  for (const [type, names] of Object.entries(departmentFieldNames(department))) {
    const fields = resolvers[type];
    if (fields) renamed[type] = Object.fromEntries(Object.entries(fields).map(([field, resolver]) => [names[field] ?? field, resolver]));
  }
  return renamed;
}
