import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '../../bin/node-check.mjs';
import { repoRoot } from '../support/fixtures';

const check = nodeVersionProblem;
const systemNode = '/usr/bin/node';
const systemMajor = existsSync(systemNode)
  ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim())
  : NaN;

describe('the Node version check', () => {
  it('package.json asks for the same Node as the check', async () => {
    const { default: pkg } = await import('../../package.json', { with: { type: 'json' } });
    expect(pkg.engines.node).toBe(`>=${REQUIRED_NODE_MAJOR}`);
  });

  it('accepts Node 22 and later and names the version otherwise, on one line', () => {
    expect(check('22.0.0', 'cwb')).toBeNull();
    expect(check(process.versions.node, 'cwb')).toBeNull();
    expect(check('24.1.0', 'cwb')).toBeNull();
    const message = check('20.20.2', 'cwb');
    expect(message).toBe(
      "cwb needs Node 22 or later (this is Node 20.20.2); run it as npx cwb …, which uses the project's Node 22",
    );
    expect(check('18.0.0', 'bin/web.mjs', 'npm run web')).toMatch(
      /^bin\/web\.mjs needs Node 22 or later \(this is Node 18\.0\.0\); run it as npm run web/,
    );
    expect(check('garbage', 'cwb')).toMatch(/needs Node 22/);
  });

  // The system Node (Debian's, 20 here) is what `node bin/cwb.mjs` runs on: it must say so and exit 2, not crash.
  // Where the system Node is recent enough (or absent), the check itself is asserted on its version instead.
  it('bin/cwb.mjs and bin/web.mjs on an older system Node exit 2 with one line', () => {
    if (!(systemMajor < REQUIRED_NODE_MAJOR)) {
      expect(check(`${Number.isNaN(systemMajor) ? REQUIRED_NODE_MAJOR : systemMajor}.0.0`, 'cwb')).toBeNull();
      return;
    }
    for (const [script, name] of [
      ['bin/cwb.mjs', 'cwb'],
      ['bin/web.mjs', 'bin/web.mjs'],
    ] as const) {
      const result = spawnSync(systemNode, [join(repoRoot, script), 'help'], { encoding: 'utf8', timeout: 30_000 });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^${name.replace('.', '\\.')} needs Node 22 or later \\(this is Node ${systemMajor}\\.`),
      );
    }
  });
});
