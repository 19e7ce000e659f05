/**
 * Rule: the gateway serves the checked-in supergraph statically, so the checked-in file must
 * be exactly what the subgraphs' SDL composes to, and every recognising department must
 * contribute its field to the one Subject (and its entries query). The SDL generated from the
 * catalogue (schema/<department>.graphql, schema/shared/departments.graphql) is checked in for
 * reading: it must be what the subgraphs serve.
 */
import { describe, expect, it } from 'vitest';
import { Kind, parse, print, type ConstDirectiveNode, type ObjectTypeDefinitionNode, type EnumTypeDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckedInSupergraph, SUPERGRAPH_FILE } from '../gateway/supergraph.js';
import { composeSupergraph, generatedSchemaFiles } from '../subgraphs/compose.js';
import { SCHEMA_DIR } from '../subgraphs/kit/schema.js';
import { departments, subgraphs } from '../subgraphs/catalog.js';

const composed = composeSupergraph();
const document = parse(composed);

function typeNamed<T extends ObjectTypeDefinitionNode | EnumTypeDefinitionNode>(name: string): T {
  const found = document.definitions.find((d) => 'name' in d && d.name?.value === name);
  expect(found, `type ${name} in the composed supergraph`).toBeDefined();
  return found as T;
}

const argument = (directive: ConstDirectiveNode, name: string) => {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value ? print(value) : undefined;
};

/** join__Graph enum value (TAX, COURTS, …) of each subgraph name (tax, courts, …). */
function graphEnumValues(): Map<string, string> {
  const graphs = typeNamed<EnumTypeDefinitionNode>('join__Graph');
  return new Map(
    graphs.values!.map((value) => {
      const directive = value.directives!.find((d) => d.name.value === 'join__graph')!;
      return [JSON.parse(argument(directive, 'name')!), value.name.value];
    }),
  );
}

/** The graphs a field is resolved by, from its @join__field directives. */
function fieldGraphs(type: ObjectTypeDefinitionNode, field: string): string[] | undefined {
  const definition = type.fields?.find((f) => f.name.value === field);
  if (!definition) return undefined;
  return (definition.directives ?? []).filter((d) => d.name.value === 'join__field').map((d) => argument(d, 'graph')!);
}

describe('the checked-in supergraph is the composition of the subgraphs', () => {
  it('equals composeSupergraph() byte for byte', () => {
    const checkedIn = readCheckedInSupergraph();
    // A diff of the whole file is useless when it is stale: tell what to do.
    expect(checkedIn === composed, `${SUPERGRAPH_FILE} is stale: run npm run compose and commit the result`).toBe(true);
  });

  it.each(Object.entries(generatedSchemaFiles()))('schema/%s is what the catalogue generates', (file, sdl) => {
    expect(readFileSync(join(SCHEMA_DIR, file), 'utf8') === sdl, `schema/${file} is stale: run npm run compose and commit the result`).toBe(true);
  });

  it('generates the SDL of every department and the shared enums', () => {
    expect(Object.keys(generatedSchemaFiles()).sort()).toEqual(['shared/departments.graphql', ...departments.map((d) => `${d.name}.graphql`)].sort());
  });

  it('names every subgraph of the catalog, and nothing else', () => {
    expect([...graphEnumValues().keys()].sort()).toEqual(subgraphs.map((s) => s.name).sort());
  });
});

describe('every department contributes its field to the one Subject', () => {
  it('has one Subject keyed by creditCode in every subgraph', () => {
    const subject = typeNamed<ObjectTypeDefinitionNode>('Subject');
    const keys = subject.directives!.filter((d) => d.name.value === 'join__type');
    const graphs = graphEnumValues();
    expect(keys.map((d) => argument(d, 'graph')).sort()).toEqual([...graphs.values()].sort());
    for (const key of keys) expect(argument(key, 'key')).toBe('"creditCode"');
  });

  for (const department of departments) {
    it(`${department.name}: Subject.${department.subjectField} (nullable, resolved by ${department.name}) and Query.${department.entriesQuery}`, () => {
      const graph = graphEnumValues().get(department.name)!;
      expect(graph).toBeDefined();
      const subject = typeNamed<ObjectTypeDefinitionNode>('Subject');
      expect(fieldGraphs(subject, department.subjectField)).toEqual([graph]);
      const field = subject.fields!.find((f) => f.name.value === department.subjectField)!;
      // Nullable, so that one department down nulls only its own field.
      expect(field.type.kind).toBe(Kind.NAMED_TYPE);
      expect(print(field.type)).toBe('DepartmentRecord');

      const query = typeNamed<ObjectTypeDefinitionNode>('Query');
      expect(fieldGraphs(query, department.entriesQuery)).toEqual([graph]);
    });
  }

  it('keeps the registry fields on the platform', () => {
    const subject = typeNamed<ObjectTypeDefinitionNode>('Subject');
    const platform = graphEnumValues().get('platform')!;
    for (const field of ['subjectType', 'regionCode', 'registered', 'name', 'industry', 'legalRepresentative']) {
      expect(fieldGraphs(subject, field), field).toEqual([platform]);
    }
  });
});
