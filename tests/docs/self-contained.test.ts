/** The repository stands on its own: no file refers to a path outside it (papers are cited, data is bundled). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures';

const OUTSIDE = /\.\.\/shared\/|\/work\/shared|shared\/(papers|notes|data|spec)\//;

describe('the repository', () => {
  it('has no reference to files outside it', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(
        (file) =>
          /\.(ts|vue|mjs|js|md|json|py|sh|yaml|yml|html|css)$/.test(file) &&
          file !== 'tests/docs/self-contained.test.ts',
      );
    expect(files.length).toBeGreaterThan(300);
    const offenders = files.filter((file) => OUTSIDE.test(readFileSync(join(repoRoot, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
