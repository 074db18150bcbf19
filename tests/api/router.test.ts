import type { AppInfo } from '../../src-shared/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { channels, contract } from '../../src-shared/contract';
import { handlers } from '../../src-main/api/handlers';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

describe('router validation', () => {
  it('has exactly one handler per contract channel, named <domain>:<verb>', () => {
    expect(Object.keys(handlers).sort()).toEqual([...channels].sort());
    for (const channel of channels) expect(channel).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    expect(Object.keys(contract).length).toBe(channels.length);
  });

  it('answers an unknown channel with an error instead of throwing', async () => {
    app = freshApp();
    const result = await app.router.handle('datasets:explode', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'unknown_channel', message: 'unknown channel "datasets:explode"' },
    });
  });

  it('names the field and the rule of a payload that fails validation', async () => {
    app = freshApp();
    const result = await app.router.handle('datasets:get', { id: -3 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.field).toBe('id');
    expect(result.error.message).toBe('Id must be greater than 0');
  });

  it('refuses extra properties and wrong types', async () => {
    app = freshApp();
    const extra = await app.router.handle('datasets:list', { surprise: 1 });
    expect(extra.ok).toBe(false);
    const wrongType = await app.router.handle('networks:get', { versionId: 'one' });
    expect(wrongType.ok === false && wrongType.error.field).toBe('versionId');
  });

  it('requires confirmation to delete', async () => {
    app = freshApp();
    const result = await app.router.handle('datasets:delete', { id: 1 });
    expect(result.ok === false && result.error.message).toMatch(/confirm: true/);
  });

  it('reports a missing record as not_found', async () => {
    app = freshApp();
    const result = await app.router.handle('datasets:get', { id: 99 });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_found', field: 'id' } });
  });

  it('keeps every result JSON-safe', async () => {
    app = freshApp();
    const imported = await app.router.handle(
      'datasets:import',
      picked(app, 'ring.json', JSON.stringify(ringNetwork())),
    );
    expect(imported.ok).toBe(true);
    for (const channel of ['app:info', 'datasets:list', 'networks:list'] as const) {
      const result = await app.router.handle(channel, {});
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    }
  });

  it('names the runtime and the store engine it really runs on (not Node.js’s built-in SQLite)', async () => {
    app = freshApp();
    const info = await app.router.handle('app:info', {});
    if (!info.ok) throw new Error(info.error.message);
    const { versions } = info.value as AppInfo;
    expect(versions['Node.js']).toBe(process.versions.node);
    expect(versions['Store engine']).toMatch(/^SQLite 3\.\d+\.\d+, SQLite3 Multiple Ciphers \d+\.\d+\.\d+$/);
    const storeSqlite = (app.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    expect(versions['Store engine']).toContain(`SQLite ${storeSqlite},`);
    // product names only: no lower-case keys such as "node" or "v8"
    for (const key of Object.keys(versions)) expect(key).toMatch(/^[A-Z]/);
  });
});
