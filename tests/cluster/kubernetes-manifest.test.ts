/**
 * deploy/kubernetes/stress-job.yaml validated against the Kubernetes API schema (the OpenAPI definitions that
 * kubernetes-models compiles into validators: types, formats, enums and required fields of every nested object),
 * offline; then the links between its parts that no schema can see (shard count, volumes, the command line), and
 * the container image definition that the Jobs run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
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

/** The schema's verdict on one document: [] when valid, else one "path: message" line per violation. */
function schemaErrors(doc: unknown): string[] {
  const object = doc as IJob;
  if (object.apiVersion !== Job.apiVersion || object.kind !== Job.kind) {
    return [`${String(object.apiVersion)}/${String(object.kind)}: not a batch/v1 Job`];
  }
  try {
    new Job(object).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: Array<{ instancePath: string; message?: string }> }).errors;
    if (!errors) throw error;
    return errors.map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
  }
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
