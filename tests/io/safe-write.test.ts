import fs, { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkWriteTarget, safeWriteFile, safeWriteFiles, WriteRefusedError } from '../../src-main/io/safe-write';
import { tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.splice(0).forEach((d) => d.remove());
});

/** A data folder holding a store file, and a folder for exports beside it. */
function folders() {
  const data = tempDir('cwb-data-');
  const out = tempDir('cwb-out-');
  dirs.push(data, out);
  writeFileSync(join(data.path, 'workbench.sqlite'), 'STORE');
  return { data: data.path, out: out.path };
}

/** The one-line message a refusal carries. */
function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(WriteRefusedError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a refusal');
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

describe('safeWriteFile', () => {
  it('writes the bytes whole, as a 0600 file, and leaves no temporary file', () => {
    const { data, out } = folders();
    const target = join(out, 'brief.pdf');
    const bytes = Buffer.alloc(200_000, 7);
    expect(safeWriteFile(target, bytes, { dataDir: data })).toBe(target);
    expect(readFileSync(target).equals(bytes)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(out)).toEqual(['brief.pdf']);
  });

  it('refuses any path into the data folder, or the folder itself, even with force', () => {
    const { data, out } = folders();
    symlinkSync(join(data, 'workbench.sqlite'), join(out, 'link.json'));
    symlinkSync(data, join(out, 'data-link'));
    symlinkSync(join(data, 'not-yet'), join(out, 'dangling.json'));
    const targets = [
      join(data, 'workbench.sqlite'),
      join(data, 'new.json'),
      data,
      join(data, '..', basename(data), 'workbench.sqlite'),
      join(out, '..', basename(data), 'x.csv'),
      join(out, 'link.json'),
      join(out, 'data-link', 'workbench.sqlite'),
      join(out, 'dangling.json'),
    ];
    for (const target of targets) {
      for (const force of [false, true]) {
        expect(refusal(() => safeWriteFile(target, 'x', { dataDir: data, force }))).toMatch(/inside the data folder/);
      }
    }
    expect(readFileSync(join(data, 'workbench.sqlite'), 'utf8')).toBe('STORE');
    expect(readdirSync(data)).toEqual(['workbench.sqlite']);
  });

  it("refuses the store's key file (CWB_KEY_FILE, --key-file) even with force", () => {
    const { data, out } = folders();
    const keyFile = join(out, 'store.key');
    writeFileSync(keyFile, 'KEY');
    expect(refusal(() => safeWriteFile(keyFile, 'x', { dataDir: data, force: true, protect: [keyFile] }))).toMatch(
      /the store's key file/,
    );
    if (process.env.CWB_KEY_FILE) {
      expect(refusal(() => safeWriteFile(process.env.CWB_KEY_FILE!, 'x', { dataDir: data, force: true }))).toMatch(
        /key file/,
      );
    }
    expect(readFileSync(keyFile, 'utf8')).toBe('KEY');
  });

  it('refuses an existing file without force and replaces it with force', () => {
    const { data, out } = folders();
    const target = join(out, 'network.json');
    writeFileSync(target, 'OLD');
    expect(refusal(() => safeWriteFile(target, 'NEW', { dataDir: data }))).toBe(
      `${target} exists; add --force to replace it`,
    );
    expect(readFileSync(target, 'utf8')).toBe('OLD');
    safeWriteFile(target, 'NEW', { dataDir: data, force: true });
    expect(readFileSync(target, 'utf8')).toBe('NEW');
    expect(readdirSync(out)).toEqual(['network.json']);
  });

  it('names a missing folder, a folder given as the file, and an empty name in one line', () => {
    const { data, out } = folders();
    expect(refusal(() => safeWriteFile(join(out, 'nope', 'x.json'), 'x', { dataDir: data }))).toBe(
      `the folder ${join(out, 'nope')} does not exist`,
    );
    mkdirSync(join(out, 'sub'));
    expect(refusal(() => safeWriteFile(join(out, 'sub'), 'x', { dataDir: data, force: true }))).toMatch(
      /is a folder; give a file name/,
    );
    expect(refusal(() => checkWriteTarget('', { dataDir: data }))).toBe('the output file name is empty');
  });

  it('on a full disk writes nothing, leaves the old file as it was and no temporary file', () => {
    const { data, out } = folders();
    const target = join(out, 'brief.pdf');
    writeFileSync(target, 'OLD');
    let calls = 0;
    const real = fs.writeSync.bind(fs) as (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Uint8Array, offset: number) => {
      // The first call writes 64 kB, the second finds the disk full: a truncated file if written in place.
      if (++calls === 1) return real(fd, buffer, offset, 65_536);
      throw errno('ENOSPC');
    }) as typeof fs.writeSync);
    expect(refusal(() => safeWriteFile(target, Buffer.alloc(300_000, 1), { dataDir: data, force: true }))).toBe(
      `the disk is full while writing ${target}; nothing was written`,
    );
    expect(readFileSync(target, 'utf8')).toBe('OLD');
    expect(readdirSync(out)).toEqual(['brief.pdf']);
    const fresh = join(out, 'fresh.pdf');
    expect(refusal(() => safeWriteFile(fresh, Buffer.alloc(300_000, 1), { dataDir: data }))).toMatch(
      /^the disk is full while writing .*fresh\.pdf; nothing was written$/,
    );
    expect(readdirSync(out)).toEqual(['brief.pdf']);
  });

  it('a read-only disk, a quota or a missing permission is one line and leaves nothing', () => {
    const { data, out } = folders();
    const cases: Array<[string, RegExp]> = [
      ['EROFS', /read-only; nothing was written$/],
      ['EDQUOT', /quota is used up while writing .*; nothing was written$/],
      ['EACCES', /^no permission to write .*; nothing was written$/],
    ];
    for (const [code, message] of cases) {
      const spy = vi.spyOn(fs, 'openSync').mockImplementation(() => {
        throw errno(code);
      });
      expect(refusal(() => safeWriteFile(join(out, `${code}.csv`), 'a,b\n', { dataDir: data }))).toMatch(message);
      spy.mockRestore();
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('writes files that belong together all or none', () => {
    const { data, out } = folders();
    const nodes = join(out, 'x-nodes.csv');
    const liabilities = join(out, 'x-liabilities.csv');
    writeFileSync(liabilities, 'OLD');
    expect(
      refusal(() =>
        safeWriteFiles(
          [
            { path: nodes, content: 'n' },
            { path: liabilities, content: 'l' },
          ],
          { dataDir: data },
        ),
      ),
    ).toMatch(/x-liabilities\.csv exists/);
    expect(readdirSync(out)).toEqual(['x-liabilities.csv']);
    let calls = 0;
    const real = fs.writeSync.bind(fs) as (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Uint8Array, offset: number, length: number) => {
      if (++calls === 2) throw errno('ENOSPC');
      return real(fd, buffer, offset, length);
    }) as typeof fs.writeSync);
    expect(
      refusal(() =>
        safeWriteFiles(
          [
            { path: nodes, content: 'n' },
            { path: liabilities, content: 'l' },
          ],
          { dataDir: data, force: true },
        ),
      ),
    ).toMatch(/disk is full/);
    expect(readdirSync(out)).toEqual(['x-liabilities.csv']);
    expect(readFileSync(liabilities, 'utf8')).toBe('OLD');
    vi.restoreAllMocks();
    safeWriteFiles(
      [
        { path: nodes, content: 'n' },
        { path: liabilities, content: 'l' },
      ],
      { dataDir: data, force: true },
    );
    expect(readdirSync(out).sort()).toEqual(['x-liabilities.csv', 'x-nodes.csv']);
    expect(readFileSync(liabilities, 'utf8')).toBe('l');
  });
});
