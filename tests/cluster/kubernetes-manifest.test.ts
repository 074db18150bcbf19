/**
 * deploy/kubernetes/stress-job.yaml validated against the Kubernetes API schema (the OpenAPI definitions that
 * kubernetes-models compiles into validators: types, formats, enums and required fields of every nested object),
 * offline, and against unknown fields; then the links between its parts that no schema can see (shard count,
 * volumes, the command line), and the container image definition that the Jobs run.
 *
 * Unknown fields: the OpenAPI definitions do not forbid them (no `additionalProperties: false`), so the compiled
 * validators let a misspelt `parallelizm`, or a `restartPolicy` one level too high, pass; the API server drops or
 * refuses it. kubernetes-models ships its definitions only as compiled validator code and as the TypeScript
 * declarations generated from the same OpenAPI definitions (one interface per definition, every property listed,
 * maps as index signatures; no JSON schema file). The walk below reads those declarations with the TypeScript
 * compiler: every key of the document must be a property of the interface at its place, or fall under an index
 * signature (labels, annotations, resource quantities).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/fixtures';

const manifestPath = join(repoRoot, 'deploy/kubernetes/stress-job.yaml');

/** Every document of a multi-document YAML file, refusing YAML errors (duplicate keys, bad indentation). */
function documents(text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as unknown;
  });
}

/** The batch/v1 Job interface of kubernetes-models' declarations, with the checker that resolves its parts. */
let jobType: { checker: ts.TypeChecker; type: ts.Type } | undefined;
function declaredJobType(): { checker: ts.TypeChecker; type: ts.Type } {
  if (jobType) return jobType;
  // A file that only names the type, beside this test so that kubernetes-models resolves from the repository.
  const file = join(repoRoot, 'tests/cluster/job-type.virtual.ts');
  const text = "import type { IJob } from 'kubernetes-models/batch/v1';\nexport declare const job: IJob;\n";
  const options: ts.CompilerOptions = {
    strict: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? text : readFile(name));
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest);
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const declaration = program.getSourceFile(file)!.statements.find(ts.isVariableStatement)!.declarationList
    .declarations[0]!;
  const type = checker.getTypeAtLocation(declaration.name);
  if (checker.getPropertiesOfType(type).length === 0) throw new Error('kubernetes-models IJob did not resolve');
  return (jobType = { checker, type });
}

/** "path: unknown field" for every key of `value` that the declared type at its place does not define. */
function unknownFields(value: unknown, path = '', declared = declaredJobType()): string[] {
  const { checker } = declared;
  if (value === null || typeof value !== 'object') return [];
  const type = checker.getNonNullableType(declared.type);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return []; // free-form (none in a Job)
  const members = (type.isUnion() ? type.types : [type]).filter((t) => t.flags & ts.TypeFlags.Object);
  if (Array.isArray(value)) {
    const array = members.find((t) => checker.isArrayType(t));
    const element = array && checker.getTypeArguments(array as ts.TypeReference)[0];
    if (!element) return [`${path || '/'}: not a list here`];
    return value.flatMap((item, k) => unknownFields(item, `${path}/${k}`, { checker, type: element }));
  }
  const object = members.find((t) => !checker.isArrayType(t));
  if (!object) return [`${path || '/'}: not an object here`];
  const index = checker.getIndexInfoOfType(object, ts.IndexKind.String);
  return Object.entries(value).flatMap(([key, child]) => {
    const property = checker.getPropertyOfType(object, key);
    const childType = property ? checker.getTypeOfSymbol(property) : index?.type;
    if (!childType) return [`${path}/${key}: unknown field`];
    return unknownFields(child, `${path}/${key}`, { checker, type: childType });
  });
}

/**
 * The schema's verdict on one document: [] when valid, else one "path: message" line per violation (the compiled
 * validators' findings, then unknown fields).
 */
function schemaErrors(doc: unknown): string[] {
  const object = doc as IJob;
  if (object.apiVersion !== Job.apiVersion || object.kind !== Job.kind) {
    return [`${String(object.apiVersion)}/${String(object.kind)}: not a batch/v1 Job`];
  }
  let errors: string[] = [];
  try {
    new Job(object).validate();
  } catch (error) {
    const found = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!found) throw error;
    errors = found.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
  }
  return [...errors, ...unknownFields(doc)];
}

const jobs = () => documents(readFileSync(manifestPath, 'utf8')) as IJob[];

describe('Kubernetes manifest (deploy/kubernetes/stress-job.yaml)', () => {
  it('every document is a batch/v1 Job valid against the Kubernetes schema', () => {
    const docs = jobs();
    expect(docs.map((d) => d.metadata?.name)).toEqual(['cwb-stress', 'cwb-stress-merge']);
    for (const doc of docs) expect(schemaErrors(doc), doc.metadata?.name).toEqual([]);
  });

  it('the schema check refuses a wrong field type, a missing required field and a value outside an enum', () => {
    const [shards] = jobs();
    const wrongType = structuredClone(shards!) as unknown as { spec: { completions: unknown } };
    wrongType.spec.completions = '16';
    expect(schemaErrors(wrongType)).toEqual(['/spec/completions: must be integer']);

    const noName = structuredClone(shards!);
    delete (noName.spec!.template.spec!.containers[0] as { name?: string }).name;
    expect(schemaErrors(noName)).toEqual(['/spec/template/spec/containers/0: must have required property name']);

    const noTemplate = structuredClone(shards!) as unknown as { spec: { template?: unknown } };
    delete noTemplate.spec.template;
    expect(schemaErrors(noTemplate)).toEqual(['/spec: must have required property template']);

    const badMode = structuredClone(shards!) as unknown as { spec: { completionMode: string } };
    badMode.spec.completionMode = 'indexed';
    expect(schemaErrors(badMode)).toContain('/spec/completionMode: must be equal to one of the allowed values');

    const badMount = structuredClone(shards!) as unknown as {
      spec: { template: { spec: { containers: Array<{ volumeMounts: Array<{ readOnly: unknown }> }> } } };
    };
    badMount.spec.template.spec.containers[0]!.volumeMounts[0]!.readOnly = 'yes';
    expect(schemaErrors(badMount)).toEqual([
      '/spec/template/spec/containers/0/volumeMounts/0/readOnly: must be boolean',
    ]);

    expect(schemaErrors({ ...shards, kind: 'CronJob' })).toEqual(['batch/v1/CronJob: not a batch/v1 Job']);
    expect(() => documents('a: 1\na: 2\n')).toThrow(/unique/i);
  });

  it('the schema check refuses unknown fields: misspelt, or at the wrong level; map keys stay free', () => {
    const [shards, merge] = jobs();
    type Loose = Record<string, unknown>;
    const misspelt = structuredClone(shards!) as unknown as { spec: Loose };
    misspelt.spec.parallelizm = misspelt.spec.parallelism;
    delete misspelt.spec.parallelism;
    expect(schemaErrors(misspelt)).toEqual(['/spec/parallelizm: unknown field']);

    const wrongLevel = structuredClone(merge!) as unknown as { spec: { template: Loose & { spec: Loose } } };
    wrongLevel.spec.template.restartPolicy = wrongLevel.spec.template.spec.restartPolicy;
    delete wrongLevel.spec.template.spec.restartPolicy;
    expect(schemaErrors(wrongLevel)).toEqual(['/spec/template/restartPolicy: unknown field']);

    const deep = structuredClone(shards!) as unknown as {
      metadata: { labels?: Loose };
      spec: { template: { spec: { containers: Loose[] } } };
    };
    deep.spec.template.spec.containers[0]!.volumeMount = deep.spec.template.spec.containers[0]!.volumeMounts;
    delete deep.spec.template.spec.containers[0]!.volumeMounts;
    (deep.spec.template.spec.containers[0]!.env as Loose[])[0]!.valu = 'x';
    deep.metadata.labels = { ...deep.metadata.labels, 'any-label/whatever': 'x' }; // a map: any key
    (deep.metadata as Loose).lables = {};
    expect(schemaErrors(deep)).toEqual([
      '/metadata/lables: unknown field',
      '/spec/template/spec/containers/0/env/0/valu: unknown field',
      '/spec/template/spec/containers/0/volumeMount: unknown field',
    ]);
  });

  it('the shard Job is Indexed with as many shards as completions, and every mount names a volume', () => {
    const [shards, merge] = jobs();
    expect(shards!.spec!.completionMode).toBe('Indexed');
    const container = shards!.spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(Number(env.SHARDS)).toBe(shards!.spec!.completions);
    const script = (container.args ?? []).join(' ');
    expect(script).toContain('--shard "$K/$SHARDS"');
    expect(script).toContain('K=$((JOB_COMPLETION_INDEX + 1))');
    for (const job of [shards!, merge!]) {
      const pod = job.spec!.template.spec!;
      expect(pod.restartPolicy).toBe('Never');
      const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
      for (const c of pod.containers) {
        expect(c.image).toBe('contagion-workbench/cwb:0.1.0');
        expect(c.args!.join(' ')).toContain('node /opt/cwb/bin/cwb.mjs ');
        for (const mount of c.volumeMounts ?? []) expect(volumes.has(mount.name), mount.name).toBe(true);
      }
    }
    expect(merge!.spec!.template.spec!.containers[0]!.args!.join(' ')).toContain('stress-merge /results/part-*.json');
  });

  it('the image definition runs the cwb command line on Node 22 with production dependencies, not as root', () => {
    const dockerfile = readFileSync(join(repoRoot, 'deploy/container/Dockerfile'), 'utf8');
    const steps = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(steps[0]).toMatch(/^FROM node:22-/);
    expect(steps).toContain('RUN npm ci --omit=dev --ignore-scripts');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.dependencies.tsx, 'cwb runs its TypeScript through tsx, a production dependency').toBeDefined();
    expect(pkg.bin.cwb).toBe('bin/cwb.mjs');
    for (const copied of steps.filter((s) => s.startsWith('COPY '))) {
      for (const source of copied.split(/\s+/).slice(1, -1)) {
        expect(existsSync(join(repoRoot, source)), source).toBe(true);
      }
    }
    const user = steps.findIndex((s) => s.startsWith('USER '));
    expect(steps[user]).toBe('USER node');
    expect(steps.slice(user + 1).every((s) => !s.startsWith('RUN ') && !s.startsWith('USER '))).toBe(true);
    expect(steps.at(-1)).toBe('ENTRYPOINT ["node", "/opt/cwb/bin/cwb.mjs"]');
  });
});
