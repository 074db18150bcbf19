/**
 * Files by handle: a picked file's bytes are read by the main process (a path) or held once (an upload), channels
 * name the handle, and handles let go or never given are refused in words.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_PICKED_FILE_BYTES } from '../../src-shared/bridge';
import { FileHandles, pickedText } from '../../src-main/api/file-handles';
import { freshApp } from '../support/app';
import { tempDir } from '../support/fixtures';
import { importNetwork, savedStressRun, sixBanks } from '../briefs/support';
import { stringMatching } from '../support/matchers';

const dir = tempDir();
afterAll(() => dir.remove());

describe('file handles', () => {
  it('reads a registered path when it is used, not when it is picked', () => {
    const files = new FileHandles();
    const path = join(dir.path, 'ring.json');
    writeFileSync(path, 'first');
    const ref = files.fromPath(path);
    expect(ref).toEqual({ fileName: 'ring.json', handle: stringMatching(/^[0-9a-f]{32}$/), size: 5 });
    writeFileSync(path, 'second');
    expect(files.read(ref).bytes.toString()).toBe('second');
  });

  it('holds an upload, lets the oldest go beyond the count and the byte budget, and refuses unknown handles', () => {
    const files = new FileHandles({ maxFiles: 3, maxHeldBytes: 10 });
    const refs = ['a', 'b', 'c'].map((name) => files.fromBytes(`${name}.csv`, Buffer.from('1234')));
    // 12 bytes held > 10: the oldest upload was let go; the other two stay
    expect(() => files.read(refs[0]!)).toThrow('a.csv is no longer open here; choose it again');
    expect(files.read(refs[1]!).bytes.toString()).toBe('1234');
    const d = files.fromBytes('../../d.csv', Buffer.from('x'));
    expect(d.fileName).toBe('d.csv'); // a name, never a path
    expect(files.read(refs[2]!).bytes.toString()).toBe('1234');
    expect(() => files.read({ fileName: 'x.json', handle: 'f'.repeat(32) })).toThrow(
      'x.json is no longer open here; choose it again',
    );
  });

  it('refuses a file over 150 MB when it is picked, before reading it', () => {
    const path = join(dir.path, 'huge.csv');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, MAX_PICKED_FILE_BYTES + 1); // sparse: no 150 MB written
    closeSync(fd);
    expect(() => new FileHandles().fromPath(path)).toThrow('huge.csv is 150 MB; files up to 150 MB are opened');
  });

  it('gives a picked file as text (UTF-8 with or without its mark, else Windows-1252) to a screen that edits it', () => {
    const files = new FileHandles();
    expect(pickedText(files, files.fromBytes('a.json', Buffer.from('\ufeff{"é":1}')))).toBe('{"é":1}');
    expect(pickedText(files, files.fromBytes('b.csv', Buffer.from([0x41, 0x3b, 0xe9])))).toBe('A;é');
  });
});

describe('briefs written where the user chose (desktop), without coming to the page', () => {
  it('writes the brief to the save target, stores it, and lets the target go; a data-folder target or a read of it is refused', async () => {
    const app = freshApp();
    try {
      const runId = await savedStressRun(app, await importNetwork(app, sixBanks()));
      const target = app.files.saveTarget(join(dir.path, 'committee.pdf'));
      const request = { runIds: [runId], title: 'Committee brief', format: 'pdf' as const, target };
      const exported = await app.router.handle('briefs:exportTo', request);
      expect(exported).toMatchObject({
        ok: true,
        value: { path: join(dir.path, 'committee.pdf'), brief: { title: 'Committee brief' } },
      });
      expect(readFileSync(join(dir.path, 'committee.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
      // the target was written once and let go
      expect(await app.router.handle('briefs:exportTo', request)).toMatchObject({
        ok: false,
        error: { message: 'committee.pdf is not a place chosen to save to; choose it again' },
      });
      const again = app.files.saveTarget(join(dir.path, 'again.pdf'));
      expect(await app.router.handle('files:readText', again)).toMatchObject({
        ok: false,
        error: { message: 'again.pdf is no longer open here; choose it again' },
      });
      const briefId = (exported as { value: { brief: { id: number } } }).value.brief.id;
      expect(await app.router.handle('briefs:downloadTo', { id: briefId, target: again })).toMatchObject({
        ok: true,
        value: { path: join(dir.path, 'again.pdf') },
      });
      expect(readFileSync(join(dir.path, 'again.pdf')).equals(readFileSync(join(dir.path, 'committee.pdf')))).toBe(
        true,
      );
      const inStore = app.files.saveTarget(join(app.dataDir, 'brief.pdf'));
      const refused = await app.router.handle('briefs:downloadTo', { id: briefId, target: inStore });
      expect(refused.ok).toBe(false);
      expect(existsSync(join(app.dataDir, 'brief.pdf'))).toBe(false);
    } finally {
      await app.dispose();
    }
  }, 120_000);
});
