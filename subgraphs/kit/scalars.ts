/** The custom scalars every subgraph declares in `schema/shared/common.graphql`. */
import { GraphQLScalarType, Kind } from 'graphql';
import { badInput } from './errors.js';
import { isIsoDate } from './dates.js';

function parseDate(value: unknown): string {
  if (!isIsoDate(value)) {
    throw badInput(`"${String(value)}" is not a date: write a calendar date as YYYY-MM-DD, e.g. "2024-03-01"`);
  }
  return value;
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD (UTC).',
  serialize: (value) => String(value),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO 8601 in UTC, e.g. "2024-03-01T08:30:00.000Z".',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw badInput(`"${String(value)}" is not an instant: write ISO 8601 in UTC, e.g. "2024-03-01T08:30:00.000Z"`);
    }
    return new Date(value).toISOString();
  },
});

export const scalarResolvers = { Date: DateScalar, DateTime: DateTimeScalar };
