/**
 * `cwb` flags are read from the zod schemas the app validates with: for every flag tied to a schema field, the help
 * line states the field's bounds, a value on the bound is accepted and one just beyond it is refused in one line, by
 * the command line exactly as by the job or channel itself.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobParamSchemas } from '../../src-shared/jobs';
import { UsageError } from '../../src-main/cli/command';
import { commands, helpText } from '../../src-main/cli/main';
import { optionalFlag, requiredFlag, schemaFlag, type SchemaFlag } from '../../src-main/cli/schema-flags';

const schemaFlags = commands.flatMap((command) =>
  command.flags
    .filter((flag): flag is SchemaFlag<unknown> => 'field' in flag)
    .map((flag) => ({ command: command.name, flag })),
);

interface Bounds {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: string[];
}
const bounds = (flag: SchemaFlag<unknown>) =>
  z.toJSONSchema(flag.field, { io: 'input', unrepresentable: 'any' }) as Bounds;

describe('flags derived from the schemas', () => {
  it('covers the flags of every command that runs a job or a checked channel', () => {
    const covered = new Set(schemaFlags.map(({ command }) => command));
    for (const name of [
      'stress',
      'reconstruct',
      'disaggregate',
      'capital',
      'intervene',
      'intervention-study',
      'bailout',
      'idf',
      'gt',
      'demo',
      'audit',
      'clear',
      'import',
    ]) {
      expect(covered, name).toContain(name);
    }
    expect(schemaFlags.length).toBeGreaterThan(60);
  });

  it('states each bound in the help and holds it: the bound is accepted, just beyond it is refused in one line', () => {
    let checked = 0;
    for (const { command, flag } of schemaFlags) {
      const field = bounds(flag);
      const help = helpText(command);
      const line = help.split('\n').find((text) => text.trimStart().startsWith(`--${flag.name} `))!;
      expect(line, `${command} --${flag.name}`).toBeDefined();
      const ends = [
        { at: field.minimum, inside: true, beyond: -1 },
        { at: field.maximum, inside: true, beyond: 1 },
        { at: field.exclusiveMinimum, inside: false, beyond: -1 },
        { at: field.exclusiveMaximum, inside: false, beyond: 1 },
      ];
      for (const { at, inside, beyond } of ends) {
        if (at === undefined) continue;
        expect(line, `${command} --${flag.name}`).toContain(at.toLocaleString('en-US', { maximumFractionDigits: 6 }));
        const step = field.type === 'integer' ? 1 : Math.max(Math.abs(at) * 1e-6, 1e-9);
        if (inside) expect(optionalFlag({ [flag.name]: String(at) }, flag), `${command} --${flag.name} ${at}`).toBe(at);
        else expect(() => optionalFlag({ [flag.name]: String(at) }, flag)).toThrow(UsageError);
        const outside = String(at + beyond * step);
        expect(() => optionalFlag({ [flag.name]: outside }, flag), `${command} --${flag.name} ${outside}`).toThrow(
          UsageError,
        );
        expect(flag.field.safeParse(Number(outside)).success).toBe(false);
        checked += 1;
      }
      for (const word of field.enum ?? [])
        expect(optionalFlag({ [flag.name]: word }, flag)).toBe(flag.field.parse(word)); // an alias resolves as in the job
      if (field.enum)
        expect(() => optionalFlag({ [flag.name]: 'no-such-choice' }, flag)).toThrow(
          new RegExp(`^--${flag.name} must be one of ${field.enum.join('\\|')}, got "no-such-choice"$`),
        );
    }
    expect(checked).toBeGreaterThan(80);
  });

  it('has the job’s limits, not the command line’s own: cwb stress and the stress job refuse the same sample count', () => {
    const stress = commands.find((c) => c.name === 'stress')!;
    const samples = stress.flags.find((flag) => flag.name === 'samples') as SchemaFlag<number>;
    const limit = bounds(samples).maximum!;
    expect(jobParamSchemas.stress.shape.samples.safeParse(limit + 1).success).toBe(false);
    expect(() => requiredFlag({ samples: String(limit + 1) }, samples)).toThrow(
      `--samples must be a whole number, 1 ≤ N ≤ ${limit.toLocaleString('en-US')}, got "${limit + 1}"`,
    );
    expect(requiredFlag({}, samples)).toBe(10_000);
  });

  it('refuses text, a missing value and a missing required flag in words', () => {
    const seed = schemaFlag('seed', 'S', z.number().int().min(0).max(9), 'random seed');
    expect(seed.description).toBe('random seed [a whole number, 0 ≤ S ≤ 9]');
    expect(() => requiredFlag({ seed: 'abc' }, seed)).toThrow('--seed must be a whole number, 0 ≤ S ≤ 9, got "abc"');
    expect(() => requiredFlag({ seed: '2.5' }, seed)).toThrow('--seed must be a whole number, 0 ≤ S ≤ 9, got "2.5"');
    expect(() => requiredFlag({ seed: ' ' }, seed)).toThrow(UsageError);
    expect(() => requiredFlag({}, seed)).toThrow('--seed S is required (a whole number, 0 ≤ S ≤ 9)');
    expect(optionalFlag({}, seed)).toBeUndefined();
    expect(optionalFlag({}, schemaFlag('seed', 'S', z.number().int().min(0).max(9).default(3), 'random seed'))).toBe(3);
    expect(optionalFlag({}, schemaFlag('seed', 'S', z.number().int().min(0).max(9).default(3), 'random seed', 7))).toBe(
      7,
    );
  });
});
