/**
 * The documentation is kept true by running it: every `cwb` line of docs/cli.md's examples, in order, in a copy of
 * docs/examples/ with a new data folder and key file; every command `cwb help` lists is documented there; every
 * example file of docs/formats.md imports.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFile } from '../../src-main/io/importers';
import { repoRoot, tempDir } from '../support/fixtures';
import { cwb, writeKeyFile } from '../support/store';

const docsDir = join(repoRoot, 'docs');
const examplesDir = join(docsDir, 'examples');
const cliDoc = readFileSync(join(docsDir, 'cli.md'), 'utf8');

/** The lines of the ```sh block under "## Examples". */
function documentedExamples(markdown: string): string[] {
  const section = markdown.slice(markdown.indexOf('## Examples'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/cli.md has no ```sh block under "## Examples"');
  return block[1]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('cwb '));
}

const work = tempDir('cwb-docs-');
afterAll(() => work.remove());

describe('docs', () => {
  it('runs every example of docs/cli.md in order: each exits 0, each --json prints one JSON document', () => {
    const examples = documentedExamples(cliDoc);
    expect(examples.length).toBeGreaterThanOrEqual(15);
    const folder = join(work.path, 'examples');
    cpSync(examplesDir, folder, { recursive: true });
    const keyFile = join(work.path, 'key');
    writeKeyFile(keyFile);
    const env = { ...process.env, CWB_DATA_DIR: join(work.path, 'data'), CWB_KEY_FILE: keyFile };
    const cwbFunction = `cwb() { ${JSON.stringify(process.execPath)} ${JSON.stringify(join(repoRoot, 'bin/cwb.mjs'))} "$@"; }`;
    for (const example of examples) {
      const result = spawnSync('bash', ['-c', `${cwbFunction}; ${example}`], { cwd: folder, env, encoding: 'utf8' });
      expect({ example, status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
        example,
        status: 0,
        stderr: '',
      });
      if (example.includes('--json')) expect((): unknown => JSON.parse(result.stdout), example).not.toThrow();
    }
    expect(readdirSync(folder)).toEqual(expect.arrayContaining(['ring.graphml', 'policy.json']));
  }, 300_000);

  it('documents every command that `cwb help` lists', () => {
    const help = cwb(['help']);
    expect(help.code).toBe(0);
    const commands = [...help.out.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((match) => match[1]!);
    expect(commands.length).toBeGreaterThan(15);
    const undocumented = commands.filter((command) => command !== 'help' && !cliDoc.includes(`\`cwb ${command}`));
    expect(undocumented).toEqual([]);
  });

  it('imports every example file that docs/formats.md shows', () => {
    for (const file of ['ring.json', 'economy.json']) {
      expect(() => importFile(file, readFileSync(join(examplesDir, file))), file).not.toThrow();
    }
  });
});
