/** `cwb export --marking TEXT --organisation NAME`: the files carry that marking instead of the saved settings', and the audit trail says so. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKING } from '../../src-shared/briefs';
import { repoRoot, ringNetwork, tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CWB_DATA_DIR: dataDir },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb export --marking', () => {
  it(
    'writes the given marking and organisation into CSV and JSON, the settings’ marking by default, and records it',
    { timeout: 120_000 },
    () => {
      const data = tempDir();
      const out = tempDir(); // exports go outside the data folder
      dirs.push(data, out);
      writeFileSync(join(out.path, 'ring.json'), JSON.stringify(ringNetwork()));
      expect(cwb(['import', join(out.path, 'ring.json')], data.path).code).toBe(0);

      const marked = cwb(
        [
          'export',
          '1',
          '--out',
          join(out.path, 'marked.csv'),
          '--marking',
          'SECRET — board only',
          '--organisation',
          'Central Bank',
        ],
        data.path,
      );
      expect(marked.code, marked.err).toBe(0);
      for (const part of ['nodes', 'liabilities']) {
        expect(readFileSync(join(out.path, `marked-${part}.csv`), 'utf8').split('\r\n')[0]).toBe(
          '# SECRET — board only · Central Bank',
        );
      }
      const plain = cwb(['export', '1', '--out', join(out.path, 'plain.json')], data.path);
      expect(plain.code, plain.err).toBe(0);
      expect(
        (JSON.parse(readFileSync(join(out.path, 'plain.json'), 'utf8')) as { metadata: unknown }).metadata,
      ).toMatchObject({ marking: DEFAULT_MARKING });

      const audit = JSON.parse(cwb(['audit', '--json'], data.path).out) as {
        entries: Array<{ action: string; fileName: string | null; details: Record<string, unknown> }>;
      };
      const exports = audit.entries.filter((e) => e.action === 'export');
      expect(exports.map((e) => [e.fileName, e.details.marking, e.details.organisation])).toEqual([
        ['ring-of-three-v1.json', DEFAULT_MARKING, undefined],
        ['ring-of-three-v1-liabilities.csv', 'SECRET — board only', 'Central Bank'],
        ['ring-of-three-v1-nodes.csv', 'SECRET — board only', 'Central Bank'],
      ]);

      const blank = cwb(['export', '1', '--out', join(out.path, 'blank.json'), '--marking', ' '], data.path);
      expect(blank.code).toBe(2);
      expect(blank.err.trim()).toMatch(/^cwb: --marking needs a text/);
      expect(blank.err.trim().split('\n')).toHaveLength(1);
      expect(cwb(['help', 'export'], data.path).out).toMatch(/--marking TEXT\s+classification marking the files carry/);
    },
  );
});
