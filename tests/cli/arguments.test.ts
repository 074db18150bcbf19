/** `cwb` parses its flags with node:util parseArgs from each command's flag table; every refusal is one line. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src-main/cli/command';
import { commands, parseArguments } from '../../src-main/cli/main';

const command = (name: string) => commands.find((c) => c.name === name)!;
const refusal = (name: string, argv: string[]) => {
  try {
    parseArguments(command(name), argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('cwb arguments', () => {
  it('reads positionals, string flags (spaced or with =, negative values with =) and boolean flags', () => {
    expect(
      parseArguments(command('intervention-study'), ['economy.json', '--drift=-0.2', '--scenarios', '200', '--json']),
    ).toEqual({
      positionals: ['economy.json'],
      flags: { drift: '-0.2', scenarios: '200', json: true },
    });
  });

  it('refuses an unknown option, a missing or ambiguous value, a value on a switch and a wrong count, each in one line', () => {
    expect(refusal('stress', ['ring.json', '--bogus', '3'])).toBe(
      'unknown option --bogus for "cwb stress" (see: cwb help stress)',
    );
    expect(refusal('list', ['-x'])).toBe('unknown option -x for "cwb list" (see: cwb help list)');
    expect(refusal('stress', ['ring.json', '--shock-model'])).toBe(
      '--shock-model needs a value MODEL (a value that starts with "-" is written --shock-model=MODEL)',
    );
    expect(refusal('intervention-study', ['economy.json', '--drift', '-0.2'])).toBe(
      '--drift needs a value M (a value that starts with "-" is written --drift=M)',
    );
    expect(refusal('list', ['--json=yes'])).toBe('--json takes no value');
    expect(refusal('list', ['extra'])).toMatch(/^"cwb list" takes 0 argument\(s\); usage: cwb list/);
    for (const message of [refusal('stress', ['--nope']), refusal('list', ['--json=1'])])
      expect(message).not.toMatch(/\n/);
  });
});
