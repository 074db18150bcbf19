import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../support/fixtures';
import { pdfPageTexts } from '../briefs/support';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb demo and cwb brief', () => {
  it('runs the EBA 2011 case end to end into a brief, then rebuilds the same brief from the saved run', async () => {
    const data = tempDir();
    const files = tempDir(); // --out never goes into the data folder
    dirs.push(data, files);
    const first = join(files.path, 'demo.pdf');
    const demo = cwb(['demo', '--samples', '2000', '--out', first, '--marking', 'RESTRICTED', '--json'], data.path);
    expect(demo.code, demo.err).toBe(0);
    const { runIds, bytes } = JSON.parse(demo.out) as { runIds: number[]; bytes: number };
    expect(readFileSync(first).length).toBe(bytes);
    expect(demo.err).toMatch(/saved stress run 1/);
    const pages = await pdfPageTexts(readFileSync(first));
    expect(pages.every((text) => text.includes('RESTRICTED'))).toBe(true);
    expect(pages.join(' ')).toContain('EBA 2011, 87 banks v2 — 87 banks');

    const again = join(files.path, 'again.pdf');
    const brief = cwb(
      [
        'brief',
        '--runs',
        runIds.join(','),
        '--out',
        again,
        '--title',
        'EBA 2011: interbank contagion stress test',
        '--marking',
        'RESTRICTED',
      ],
      data.path,
    );
    expect(brief.code, brief.err).toBe(0);
    expect(readFileSync(again).equals(readFileSync(first))).toBe(true);

    const marked = join(files.path, 'marked.pdf');
    const organisation = cwb(
      ['brief', '--runs', runIds.join(','), '--out', marked, '--organisation', 'Banking Supervision Department'],
      data.path,
    );
    expect(organisation.code, organisation.err).toBe(0);
    const markedPages = await pdfPageTexts(readFileSync(marked));
    expect(
      markedPages.every(
        (text) => text.includes('Banking Supervision Department') && text.includes('CONFIDENTIAL — supervisory use'),
      ),
    ).toBe(true);
  });

  it('exits 2 with a one-line reason on bad arguments', () => {
    const data = tempDir();
    dirs.push(data);
    const cases: Array<[string[], RegExp]> = [
      [['brief', '--out', 'x.pdf'], /--runs ID,ID,… is required/],
      [['brief', '--runs', '1,a', '--out', 'x.pdf'], /--runs must be run IDs separated by commas, got "a"/],
      [['brief', '--runs', '1', '--out', 'x.odt'], /--format must be pdf, docx, xlsx or csv/],
      [['brief', '--runs', '5', '--out', join(tmpdir(), 'cwb-no-such-run.pdf')], /no run with id 5/],
    ];
    for (const [args, reason] of cases) {
      const result = cwb(args, data.path);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(reason);
      expect(result.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
