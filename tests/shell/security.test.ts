/**
 * The Electron shell's guards that can be checked without Electron: which URLs are the app's own (navigation,
 * redirects and IPC are refused for every other), which frames IPC is answered for, how app://bundle/ maps paths
 * to files, and the fuses the packager is configured to set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, isAppUrl, isTrustedFrame } from '../../src-main/shell/app-url';
import { resolveStaticTarget } from '../../src-main/io/static-files';
import { repoRoot } from '../support/fixtures';

const hostile = [
  'file:///etc/passwd',
  'file:///work/main/out/renderer/index.html',
  'file://bundle/index.html',
  'javascript:alert(1)',
  'JavaScript:fetch("app://bundle/")',
  'data:text/html,<script>window.cwb.invoke("datasets:list")</script>',
  'blob:app://bundle/0d8f3c0a-0000-4000-8000-000000000000',
  'filesystem:app://bundle/temporary/x.html',
  'view-source:app://bundle/index.html',
  'app://other-host/index.html',
  'app://bundle@evil/index.html',
  'app://evil@bundle/index.html',
  'app://user:pass@bundle/index.html',
  'app://bundle:8080/index.html',
  'app://bundle.evil.example/index.html',
  'app://bundle',
  'app:bundle/index.html',
  'app:///index.html',
  'app://bundle\\@evil/index.html',
  'APP://BUNDLE/index.html',
  ' app://bundle/index.html',
  'app://bundle/index.html\n',
  'app://bund%6Ce/index.html',
  'http://127.0.0.1:5173/',
  'https://evil.example/',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  '',
  'not a url',
];

describe('isAppUrl (packaged: app://bundle/)', () => {
  it.each(hostile)('refuses %j', (url) => {
    expect(isAppUrl(url, undefined)).toBe(false);
  });

  it("accepts the app's own pages and files", () => {
    for (const url of [
      APP_ENTRY_URL,
      'app://bundle/',
      'app://bundle/index.html#/stress',
      'app://bundle/assets/index-3f2a.js',
      'app://bundle/assets/a%20b.css?v=1',
    ]) {
      expect(isAppUrl(url, undefined), url).toBe(true);
    }
  });
});

describe('isAppUrl (development: the dev server)', () => {
  const dev = 'http://localhost:5173';
  it("accepts the dev server's origin only", () => {
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/#/data', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5173/src/main.ts?t=1', `${dev}/`)).toBe(true);
    for (const url of [
      'http://localhost:5173@evil.example/',
      'http://localhost:5173.evil.example/',
      'http://localhost:51730/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://user@localhost:5173/',
      'ws://localhost:5173/',
      'file:///etc/passwd',
      'app://bundle/index.html',
      'javascript:alert(1)',
      'data:text/html,x',
    ]) {
      expect(isAppUrl(url, dev), url).toBe(false);
    }
  });

  it('refuses everything when the dev server address is not a URL', () => {
    expect(isAppUrl('http://localhost:5173/', 'localhost:5173')).toBe(false);
  });
});

describe('isTrustedFrame', () => {
  const main = { url: APP_ENTRY_URL, processId: 4, routingId: 1 };
  it('answers IPC for the main frame on an app URL only', () => {
    expect(isTrustedFrame(main, main, undefined)).toBe(true);
    expect(isTrustedFrame({ ...main }, main, undefined)).toBe(true); // the same frame, another wrapper object
    expect(isTrustedFrame({ ...main, routingId: 7 }, main, undefined)).toBe(false); // an iframe of the page
    expect(isTrustedFrame({ ...main, processId: 9 }, main, undefined)).toBe(false);
    expect(
      isTrustedFrame({ ...main, url: 'file:///tmp/evil.html' }, { ...main, url: 'file:///tmp/evil.html' }, undefined),
    ).toBe(false);
    expect(isTrustedFrame(null, main, undefined)).toBe(false); // the frame has gone away
    expect(isTrustedFrame(main, null, undefined)).toBe(false);
  });
});

describe('app://bundle/ file mapping', () => {
  it('serves files inside the renderer folder only', () => {
    const root = '/opt/cwb/resources/app.asar/out/renderer';
    expect(resolveStaticTarget(root, '/index.html')).toMatchObject({ file: `${root}/index.html` });
    for (const target of [
      '/../main/index.js',
      '/%2e%2e/main/index.js',
      '/assets/..%2f..%2fmain%2findex.js',
      '/%zz',
      '/a%00.js',
    ]) {
      expect(resolveStaticTarget(root, target), target).toEqual({ status: 400 });
    }
    expect(resolveStaticTarget(root, '/preload.cjs')).toEqual({ status: 404 });
  });
});

describe('packaging', () => {
  const config = JSON.parse(readFileSync(join(repoRoot, 'electron-builder.json'), 'utf8')) as {
    asar: boolean;
    electronFuses: Record<string, boolean>;
  };
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

  it('sets the fuses that close Node-style entry points and bind the app to its archive', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(pkg.scripts.package).toMatch(/electron-builder --config electron-builder\.json/);
  });

  it('the configuration is valid for the installed electron-builder', async () => {
    const { validateConfiguration } = (await import(
      join(repoRoot, 'node_modules/app-builder-lib/out/util/config/config.js')
    )) as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = (await import(join(repoRoot, 'node_modules/builder-util/out/DebugLogger.js'))) as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(
      validateConfiguration(
        { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } },
        new DebugLogger(false),
      ),
    ).rejects.toThrow(/electronFuses/);
  });
});
