/**
 * npm run codegen — writes the resolver types of every subgraph from its SDL, so the
 * resolvers are checked against the schema instead of against hand-written types.
 *
 * Two files: the platform's, `subgraphs/platform/__generated__/resolvers-types.ts`, from the
 * SDL its `SubgraphModule.schemaFiles` lists, and the list engine's shared SDL,
 * `subgraphs/kit/lists/__generated__/resolvers-types.ts`, which every department's
 * resolvers use (a department's own SDL is generated from its configuration, kit/lists/sdl.ts,
 * and adds no type of its own: only root fields named after it).
 *
 * The list engine's resolvers are written for a template department (kit/lists/department-fields.ts):
 * its file adds the first department's own fields under the template's names, so they are typed
 * with every department's arguments.
 *
 * Enums are emitted as const objects (`enumsAsConst`), so the code takes an enum's values from
 * the generated file (`Object.values(ExitWay)`) instead of restating them.
 *
 * `@graphql-codegen/core` is driven directly rather than through `@graphql-codegen/cli`:
 * the CLI's dependency listr2 requires Node >= 22.13 and the project supports Node 20.
 *
 *   npm run codegen                       write the files
 *   npx tsx scripts/codegen.ts --check    exit 1, naming them, if any file is stale
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import * as typescriptResolversPlugin from '@graphql-codegen/typescript-resolvers';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { departmentSubgraphs, subgraphByName } from '../subgraphs/catalog.js';
import { departmentFieldNames } from '../subgraphs/kit/lists/department-fields.js';
import type { DepartmentConfig } from '../subgraphs/kit/lists/department.js';
import { parseSdl } from '../subgraphs/kit/schema.js';
import { DEPARTMENTS_SCHEMA_FILE } from '../subgraphs/kit/lists/sdl.js';

export const PROJECT_DIR = fileURLToPath(new URL('../', import.meta.url));

/** The list engine's SDL, shared by every department's subgraph. */
const LIST_ENGINE_SCHEMA_FILES = ['shared/common.graphql', DEPARTMENTS_SCHEMA_FILE, 'shared/lists.graphql'];

/** A type exported by a project module: `<path from the project root>#<export>`. */
type TypeRef = string;

interface TypesConfig {
  /** The context every resolver receives. */
  contextType: TypeRef;
  /** Parent types that are not the schema's own shape: what the resolvers really hand on. */
  mappers: Record<string, TypeRef>;
}

const LIST_ENGINE_TYPES: TypesConfig = {
  contextType: 'subgraphs/kit/lists/resolvers.ts#ListContext',
  mappers: {
    Subject: 'subgraphs/kit/lists/resolvers.ts#SubjectParent',
    DepartmentRecord: 'subgraphs/kit/lists/resolvers.ts#DepartmentRecordParent',
    ListEntryConnection: 'subgraphs/kit/lists/resolvers.ts#ListEntryConnectionParent',
    ListEntry: 'subgraphs/kit/lists/store.ts#ListEntry',
    EntryTransition: 'subgraphs/kit/lists/store.ts#EntryTransition',
    LegalRepresentative: 'subgraphs/kit/lists/store.ts#LegalRepresentative',
    DepartmentActions: 'subgraphs/kit/lists/actions.ts#DepartmentActionsParent',
    ObjectionAndRepairStatistics: 'subgraphs/kit/lists/statistics.ts#StatisticsScope',
  },
};

const PLATFORM_TYPES: TypesConfig = {
  contextType: 'subgraphs/platform/resolvers.ts#PlatformContext',
  mappers: {
    Subject: 'subgraphs/platform/resolvers.ts#SubjectParent',
    LegalRepresentative: 'subgraphs/kit/lists/store.ts#LegalRepresentative',
    WarningListMember: 'subgraphs/platform/warning-list-resolvers.ts#WarningListMemberParent',
    WarningListStatus: 'subgraphs/platform/warning-list-resolvers.ts#WarningListStatusParent',
    AccessRecord: 'subgraphs/platform/access-register.ts#AccessRecord',
    RegisterVerification: 'subgraphs/platform/access-register-resolvers.ts#VerificationParent',
    Memorandum: 'subgraphs/platform/joint-measures-resolvers.ts#MemorandumParent',
    ScreenedEntry: 'subgraphs/platform/screening.ts#ScreenedEntry',
    TriggeredMeasure: 'subgraphs/platform/screening.ts#TriggeredMeasure',
    ScreeningItem: 'subgraphs/platform/screening.ts#ScreeningItem',
    JointMeasureCase: 'subgraphs/platform/feedback.ts#JointMeasureCase',
    ChangeEvent: 'subgraphs/platform/change-feed-resolvers.ts#ChangeEventParent',
    EntryStatistics: 'subgraphs/platform/statistics-resolvers.ts#StatisticsScope',
    ListedSubjectStatistics: 'subgraphs/platform/statistics-resolvers.ts#ListedScope',
    EntryCount: 'subgraphs/platform/statistics.ts#EntryCount',
    ConsolidatedListMember: 'subgraphs/platform/consolidated-list.ts#ConsolidatedListMemberParent',
  },
};

export interface CodegenTarget {
  /** Output file, from the project root. */
  output: string;
  /** SDL files under `schema/`, in the order the subgraph loads them. */
  schemaFiles: string[];
  /** Those of them generated from the catalogue (read from here, not from `schema/`). */
  generatedSchema?: Record<string, string>;
  types: TypesConfig;
  /**
   * A department whose own SDL file is added with its fields renamed to the template
   * department's (`Query.taxEntries` → `Query.departmentEntries`, `Subject.tax` →
   * `Subject.department`, kit/lists/department-fields.ts): the list engine's resolvers are
   * written for the template, so its fields are typed with every department's arguments. The
   * file also brings the `extend schema @link(…)` the shared SDL lacks (without it `@shareable` is unknown).
   */
  templateFrom?: { department: TemplateSource; file: string };
}

type TemplateSource = DepartmentConfig;

/** What to generate: the platform's SDL and the list engine's shared SDL (the catalogue's enums included). */
export function codegenTargets(): CodegenTarget[] {
  const platform = subgraphByName('platform');
  const department = departmentSubgraphs[0];
  if (!department) throw new Error('No department in subgraphs/departments.ts: nothing uses the list engine');
  const departmentModule = subgraphByName(department.name);
  return [
    { output: 'subgraphs/platform/__generated__/resolvers-types.ts', schemaFiles: platform.schemaFiles, generatedSchema: platform.generatedSchema, types: PLATFORM_TYPES },
    {
      output: 'subgraphs/kit/lists/__generated__/resolvers-types.ts',
      schemaFiles: LIST_ENGINE_SCHEMA_FILES,
      generatedSchema: departmentModule.generatedSchema,
      types: LIST_ENGINE_TYPES,
      templateFrom: { department: department.department, file: departmentModule.schemaFiles.at(-1)! },
    },
  ];
}

/** `subgraphs/kit/lists/store.ts#ListEntry` as codegen wants it from `output`: `../../kit/lists/store.js#ListEntry`. */
function importFrom(output: string, ref: TypeRef): string {
  const [file, name] = ref.split('#');
  let path = relative(dirname(output), file).split('\\').join('/').replace(/\.ts$/, '.js');
  if (!path.startsWith('.')) path = `./${path}`;
  return `${path}#${name}`;
}

function header(target: CodegenTarget): string {
  const template = target.templateFrom ? `; schema/${target.templateFrom.file} as the template department` : '';
  return [
    '// Generated by `npm run codegen` (scripts/codegen.ts) — do not edit by hand.',
    `// Source: ${target.schemaFiles.map((file) => `schema/${file}`).join(', ')}${template}.`,
    '',
  ].join('\n');
}

/**
 * A department's own SDL as the template department's: the fields named after it renamed to the
 * template's, without their descriptions (they name the department).
 */
export function templateDefinitions(source: TemplateSource, file: string, generatedSchema?: Record<string, string>): DefinitionNode[] {
  const templateName = Object.fromEntries(
    Object.entries(departmentFieldNames(source)).map(([type, names]) => [type, Object.fromEntries(Object.entries(names).map(([template, own]) => [own, template]))]),
  );
  return parseSdl([file], generatedSchema).definitions.map((definition) => {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) return definition;
    const names = templateName[definition.name.value];
    if (!names) return definition;
    const fields = definition.fields?.map((field) =>
      names[field.name.value] ? { ...field, name: { ...field.name, value: names[field.name.value] }, description: undefined } : field,
    );
    return { ...definition, fields };
  });
}

/** The generated file of one target, as text. */
export async function generate(target: CodegenTarget): Promise<string> {
  // Built the way the subgraph server builds it, so an SDL the subgraph would refuse fails
  // here too, then printed back without the federation machinery (_Entity, _Service,
  // _entities). Codegen's `federation` option prepends the federation directive definitions
  // (@key, @requires, @provides, @external) and builds the printed SDL without validating
  // it, so the v2 directives it does not define (@link, @shareable) pass through.
  let typeDefs = parseSdl(target.schemaFiles, target.generatedSchema);
  if (target.templateFrom) {
    const template = templateDefinitions(target.templateFrom.department, target.templateFrom.file, target.generatedSchema);
    typeDefs = { ...typeDefs, definitions: [...typeDefs.definitions, ...template] };
  }
  const schema = buildSubgraphSchema([{ typeDefs }]);
  const sdl = printSubgraphSchema(schema);
  const mappers = Object.fromEntries(
    Object.entries(target.types.mappers)
      .filter(([typeName]) => schema.getType(typeName))
      .map(([typeName, ref]) => [typeName, importFrom(target.output, ref)]),
  );
  const content = await codegen({
    filename: target.output,
    schema: parse(sdl),
    documents: [],
    plugins: [{ typescript: {} }, { typescriptResolvers: {} }],
    pluginMap: { typescript: typescriptPlugin, typescriptResolvers: typescriptResolversPlugin },
    config: {
      federation: true,
      useTypeImports: true,
      enumsAsConst: true,
      scalars: { Date: 'string', DateTime: 'string' },
      contextType: importFrom(target.output, target.types.contextType),
      mappers,
      // graphql-js takes an Error returned for a value as that value's error: a list answers
      // it at the item's position (Query.subjects does, for each invalid code) and the rest.
      resolverTypeWrapperSignature: 'Promise<T> | T | Error',
      // The stored shapes share their names with the schema's types (`ListEntry`): imported as `ListEntryModel`.
      mapperTypeSuffix: 'Model',
    },
  });
  return header(target) + content.trimEnd() + '\n';
}

export interface GeneratedFile {
  /** From the project root. */
  output: string;
  content: string;
}

export async function generateAll(): Promise<GeneratedFile[]> {
  return Promise.all(codegenTargets().map(async (target) => ({ output: target.output, content: await generate(target) })));
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The generated files whose checked-in copy differs from what the SDL gives now. */
export async function staleFiles(): Promise<string[]> {
  const files = await generateAll();
  return files.filter((file) => readOrNull(join(PROJECT_DIR, file.output)) !== file.content).map((file) => file.output);
}

async function main() {
  if (process.argv.includes('--check')) {
    const stale = await staleFiles();
    if (stale.length) {
      console.error(`Stale generated resolver types (run \`npm run codegen\`):\n${stale.map((file) => `  ${file}`).join('\n')}`);
      process.exit(1);
    }
    console.log('Generated resolver types are up to date');
    return;
  }
  const files = await generateAll();
  let written = 0;
  for (const file of files) {
    const path = join(PROJECT_DIR, file.output);
    if (readOrNull(path) === file.content) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    console.log(`Wrote ${file.output}`);
    written++;
  }
  console.log(`Resolver types: ${written} written, ${files.length - written} already up to date`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
