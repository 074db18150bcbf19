import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db';
import { repoRoot, ringNetwork, tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';
import { stringMatching } from '../support/matchers';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CWB_DATA_DIR: dataDir },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** Test-only tampering with the store file, as someone with the key and write access could: the triggers dropped first. */
function tamper(dataDir: string, sql: string) {
  const db = openDatabase(dataDir, { key: testStoreKey() });
  db.exec(`DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`);
  db.close();
}

describe('cwb audit', () => {
  // Sixteen cwb processes: each starts TypeScript and the store.
  it(
    'lists imports and exports in words, verifies the chain, and names a changed, a removed and a truncated entry',
    { timeout: 300_000 },
    () => {
      const data = tempDir();
      dirs.push(data);
      for (const name of ['a', 'b', 'c']) {
        writeFileSync(join(data.path, `${name}.json`), JSON.stringify(ringNetwork(`Ring ${name}`)));
        expect(cwb(['import', join(data.path, `${name}.json`)], data.path).code).toBe(0);
      }
      const outside = tempDir(); // exports go outside the data folder
      dirs.push(outside);
      expect(cwb(['export', '1', '--out', join(outside.path, 'out.graphml')], data.path).code).toBe(0);

      const listed = cwb(['audit'], data.path);
      expect(listed.code, listed.err).toBe(0);
      const lines = listed.out.trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines[0]).toMatch(
        /^4 {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}\S+ {2}Exported {2}network Ring a v1 \(version #1\) as GraphML {2}file ring-a-v1\.graphml {2}sha256 [0-9a-f]{12}$/,
      );
      expect(lines[3]).toMatch(/Imported {2}dataset #1 Ring a \(network\) {2}file a\.json {2}sha256 [0-9a-f]{12}$/);
      expect(lines.join('\n')).not.toMatch(/run-saved|datasetId|versionId/);
      expect(cwb(['audit', '--limit', '1'], data.path).out).toMatch(
        /\(1 most recent of 4 entries; --limit N for more\)/,
      );
      const json = JSON.parse(cwb(['audit', '--json'], data.path).out) as {
        total: number;
        entries: Array<{ id: number; action: string; sha256: string }>;
      };
      expect(json.total).toBe(4);
      expect(json.entries.map((e) => e.action)).toEqual(['export', 'import', 'import', 'import']);

      const intact = cwb(['audit', '--verify'], data.path);
      expect(intact.code).toBe(0);
      expect(intact.out).toMatch(/^audit trail intact: 4 entries/);
      const head = JSON.parse(cwb(['audit', '--verify', '--json'], data.path).out) as {
        intact: boolean;
        entries: number;
        head: { id: number; hash: string };
      };
      expect(head).toMatchObject({ intact: true, entries: 4, head: { id: 4 } });
      expect(intact.out).toContain(`--head 4:${head.head.hash}`);

      // Truncating the last entry leaves a consistent chain: only the noted head tells.
      tamper(data.path, 'DELETE FROM audit_log WHERE id = 4;');
      expect(cwb(['audit', '--verify'], data.path).code).toBe(0);
      const truncated = cwb(['audit', '--verify', '--head', `4:${head.head.hash.slice(0, 12)}`], data.path);
      expect(truncated.code).toBe(1);
      expect(truncated.out.trim()).toBe(
        'audit trail broken: the trail ends at entry 3 but entry 4 was noted earlier: entry 4 (and any after it) was removed',
      );

      tamper(data.path, "UPDATE audit_log SET subject = 'dataset #2 something else' WHERE id = 2;");
      const changed = cwb(['audit', '--verify'], data.path);
      expect(changed.code).toBe(1);
      expect(changed.out.trim()).toBe('audit trail broken: entry 2 was changed after it was written');

      tamper(data.path, 'DELETE FROM audit_log WHERE id = 2;');
      const removed = cwb(['audit', '--verify', '--json'], data.path);
      expect(removed.code).toBe(1);
      expect(JSON.parse(removed.out)).toMatchObject({
        intact: false,
        broken: { id: 2, problem: 'missing', message: 'entry 2 is missing (entry 3 follows entry 1)' },
      });

      expect(cwb(['audit', '--head', '4:abc'], data.path)).toMatchObject({
        code: 2,
        err: stringMatching(/^cwb: --head goes with --verify\n$/),
      });
      expect(cwb(['audit', '--verify', '--head', 'four'], data.path)).toMatchObject({
        code: 2,
        err: stringMatching(/^cwb: --head must be ID:HASH/),
      });
    },
  );
});
