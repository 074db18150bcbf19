/**
 * The loopback host under attack: a real host in this process, each attack sent as raw bytes where a client
 * library would tidy it up, and after each one the host must still serve the page; at the end a fresh WebSocket
 * must still get an answer from the router. A process that ended (an exception thrown to the event loop) fails
 * the run as an unhandled error.
 */
import { connect } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_PICKED_FILE_BYTES } from '../../src-shared/bridge';
import {
  CONTENT_SECURITY_POLICY,
  DEFAULT_HOST_LIMITS,
  startLoopbackHost,
  type LoopbackHost,
} from '../../src-main/host/server';
import { resolveStaticTarget } from '../../src-main/io/static-files';
import { freshApp } from '../support/app';
import { ringNetwork, tempDir } from '../support/fixtures';
import { stringMatching } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
let renderer: ReturnType<typeof tempDir>;
let host: LoopbackHost;
const warnings: string[] = [];

beforeAll(async () => {
  app = freshApp();
  renderer = tempDir('cwb-renderer-');
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><title>stub</title>');
  mkdirSync(join(renderer.path, 'assets'));
  writeFileSync(join(renderer.path, 'assets', 'app.js'), 'console.log(1);');
  host = await startLoopbackHost(app, { rendererDir: renderer.path, warn: (line) => warnings.push(line) });
});

afterAll(async () => {
  await host?.close();
  await app?.dispose();
  renderer?.remove();
});

const origin = () => `http://127.0.0.1:${host.port}`;
const hostHeader = () => `127.0.0.1:${host.port}`;

/** Writes `bytes` on a fresh TCP connection and collects everything until the server closes it (or 5 s). */
function raw(bytes: string | Buffer, { endAfter = 5000 } = {}): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(host.port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), endAfter);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

const statusOf = (response: Buffer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response.toString('latin1'))?.[1] ?? 0);
const get = (target: string, headers = `Host: ${hostHeader()}`) =>
  raw(`GET ${target} HTTP/1.1\r\n${headers}\r\nConnection: close\r\n\r\n`).then(statusOf);

/** An upgraded raw socket: sends `frame` after the 101 and resolves with the close code the server sends. */
function upgradeThenSend(frame: Buffer): Promise<{ upgraded: boolean; closeCode: number | undefined }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let sent = false;
    const socket = connect(host.port, '127.0.0.1', () =>
      socket.write(
        `GET /api?token=${host.token} HTTP/1.1\r\nHost: ${hostHeader()}\r\nOrigin: ${origin()}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    );
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (!sent && Buffer.concat(chunks).includes('\r\n\r\n')) {
        sent = true;
        socket.write(frame);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const upgraded = all.toString('latin1').startsWith('HTTP/1.1 101');
      const frames = all.subarray(all.indexOf('\r\n\r\n') + 4);
      // The server's close frame: 0x88, a 7-bit length, then the status code.
      const at = frames.indexOf(0x88);
      resolve({ upgraded, closeCode: at >= 0 && frames.length >= at + 4 ? frames.readUInt16BE(at + 2) : undefined });
    });
  });
}

/** A client frame: FIN + opcode, the mask bit and key when `masked`. */
function frame(opcode: number, payload: Buffer, masked = true): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const body = masked ? Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!)) : payload;
  return Buffer.concat([
    Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]),
    masked ? key : Buffer.alloc(0),
    body,
  ]);
}

/** A frame header announcing `length` bytes (64-bit length), with nothing after it. */
function announce(length: number): Buffer {
  const header = Buffer.alloc(2 + 8 + 4);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

type Opened = { socket: WebSocket } | { refused: number };

function openSocket(
  query = `token=${host.token}`,
  socketOrigin: string | undefined = origin(),
  path = '/api',
): Promise<Opened> {
  return new Promise((resolve) => {
    const socket = new WebSocket(
      `ws://127.0.0.1:${host.port}${path}?${query}`,
      socketOrigin ? { origin: socketOrigin } : {},
    );
    socket.on('open', () => resolve({ socket }));
    socket.on('unexpected-response', (_request, response) => {
      resolve({ refused: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('error', () => resolve({ refused: -1 }));
  });
}

/** A socket message as text (the host sends text frames). */
const messageText = (data: WebSocket.RawData): string =>
  Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : data instanceof ArrayBuffer
      ? Buffer.from(data).toString('utf8')
      : data.toString('utf8');

type Answer = { id: unknown; result: { ok: boolean; value?: unknown; error?: { message: string } } };

/** Sends `text` on a fresh authenticated socket and resolves with the first answer. */
async function ask(text: string | Buffer): Promise<Answer> {
  const opened = await openSocket();
  if (!('socket' in opened)) throw new Error(`socket refused with ${opened.refused}`);
  const { socket } = opened;
  const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(messageText(data))));
  socket.send(text);
  const reply = JSON.parse(await answer) as Answer;
  socket.close();
  await new Promise((resolve) => socket.once('close', resolve));
  return reply;
}

const servesPage = async () => (await get('/')) === 200;

describe('the loopback host under attack', () => {
  it('refuses every attack on that connection only and goes on serving', async () => {
    const attacks: Array<[string, () => Promise<void>]> = [
      ['GET /%zz (malformed escape)', async () => expect(await get('/%zz')).toBe(400)],
      ['GET /%E0%A4%A (truncated UTF-8 escape)', async () => expect(await get('/%E0%A4%A')).toBe(400)],
      [
        'GET /%zz from another origin (a no-cors fetch)',
        async () => expect(await get('/%zz', `Host: ${hostHeader()}\r\nOrigin: https://evil.example`)).toBe(400),
      ],
      ['a 100 kB URL', async () => expect([414, 431]).toContain(await get(`/${'a'.repeat(100_000)}`))],
      [
        'a 3 kB URL (under the header limit, over the target limit)',
        async () => expect(await get(`/${'a'.repeat(3000)}.js`)).toBe(414),
      ],
      ['GET /../../etc/passwd', async () => expect(await get('/../../etc/passwd')).toBe(400)],
      ['GET /%2e%2e/%2e%2e/etc/passwd', async () => expect(await get('/%2e%2e/%2e%2e/etc/passwd')).toBe(400)],
      ['GET /assets/..%2f..%2fpackage.json', async () => expect(await get('/assets/..%2f..%2fpackage.json')).toBe(400)],
      ['GET /assets/x%00.js (NUL)', async () => expect(await get('/assets/x%00.js')).toBe(400)],
      [
        'GET /assets\\..\\index.html (backslashes)',
        async () => expect(await get('/assets%5c..%5cindex.html')).toBe(400),
      ],
      ['GET an unknown kind of file', async () => expect(await get('/index.exe')).toBe(404)],
      ['GET a missing file', async () => expect(await get('/assets/missing.js')).toBe(404)],
      [
        'GET a folder named like a script',
        async () => {
          mkdirSync(join(renderer.path, 'folder.js'), { recursive: true });
          expect(await get('/folder.js')).toBe(404);
        },
      ],
      ['absolute-form target', async () => expect(await get('http://evil.example/index.html')).toBe(400)],
      ['a wrong Host header (DNS rebinding)', async () => expect(await get('/', 'Host: evil.example')).toBe(421)],
      ['no Host header', async () => expect(await raw('GET / HTTP/1.0\r\n\r\n').then(statusOf)).toBe(421)],
      [
        'POST',
        async () =>
          expect(
            await raw(
              `POST / HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
            ).then(statusOf),
          ).toBe(405),
      ],
      ['a garbage request line', async () => expect(await raw('HELLO THERE\r\n\r\n').then(statusOf)).toBe(400)],
      [
        'binary noise',
        async () => expect(await raw(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10])).then(statusOf)).toBe(400),
      ],
      [
        'a header over 16 KiB',
        async () => expect(await get('/', `Host: ${hostHeader()}\r\nX-Big: ${'b'.repeat(20_000)}`)).toBe(431),
      ],
      ['WebSocket with a wrong token', async () => expect(await openSocket('token=wrong')).toEqual({ refused: 401 })],
      ['WebSocket without a token', async () => expect(await openSocket('')).toEqual({ refused: 401 })],
      [
        'WebSocket from another origin',
        async () => expect(await openSocket(undefined, 'https://evil.example')).toEqual({ refused: 403 }),
      ],
      ['WebSocket without an origin', async () => expect(await openSocket(undefined, '')).toEqual({ refused: 403 })],
      [
        'WebSocket on another path',
        async () => expect(await openSocket(undefined, undefined, '/other')).toEqual({ refused: 400 }),
      ],
      [
        'WebSocket upgrade with a bad key',
        async () => {
          const response = await raw(
            `GET /api?token=${host.token} HTTP/1.1\r\nHost: ${hostHeader()}\r\nOrigin: ${origin()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n`,
          );
          expect(statusOf(response)).toBe(400);
        },
      ],
      [
        'message: not JSON',
        async () =>
          expect((await ask('hello')).result).toMatchObject({ ok: false, error: { message: 'message is not JSON' } }),
      ],
      [
        'message: null',
        async () =>
          expect((await ask('null')).result).toMatchObject({ ok: false, error: { message: /not a JSON object/ } }),
      ],
      [
        'message: []',
        async () =>
          expect((await ask('[]')).result).toMatchObject({ ok: false, error: { message: /not a JSON object/ } }),
      ],
      [
        'message: 42',
        async () =>
          expect((await ask('42')).result).toMatchObject({ ok: false, error: { message: /not a JSON object/ } }),
      ],
      [
        'message: "text"',
        async () =>
          expect((await ask('"text"')).result).toMatchObject({ ok: false, error: { message: /not a JSON object/ } }),
      ],
      [
        'message: {"channel":5}',
        async () =>
          expect(await ask('{"id":3,"channel":5}')).toMatchObject({
            id: 3,
            result: { ok: false, error: { message: 'message has no channel name' } },
          }),
      ],
      [
        'message: an unknown channel',
        async () =>
          expect((await ask('{"id":"x","channel":"nope"}')).result).toMatchObject({
            ok: false,
            error: { message: 'unknown channel "nope"' },
          }),
      ],
      [
        'message: an object id',
        async () =>
          expect(await ask('{"id":{"a":1},"channel":"app:info"}')).toMatchObject({ id: null, result: { ok: true } }),
      ],
      [
        'message: a bad payload',
        async () =>
          expect((await ask('{"id":1,"channel":"app:info","payload":[1]}')).result).toMatchObject({ ok: false }),
      ],
      [
        'message: binary frame that is not an upload',
        async () =>
          expect((await ask(Buffer.from([0, 255, 1]))).result).toMatchObject({
            ok: false,
            error: { message: stringMatching(/^binary message is not an upload/) },
          }),
      ],
      [
        'a request whose socket closes before the answer',
        async () => {
          const opened = await openSocket();
          if (!('socket' in opened)) throw new Error('refused');
          opened.socket.send('{"id":1,"channel":"jobs:list"}');
          opened.socket.terminate();
          await new Promise((resolve) => setTimeout(resolve, 100));
        },
      ],
      [
        'an unmasked frame',
        async () =>
          expect(await upgradeThenSend(frame(0x1, Buffer.from('{"id":1}'), false))).toEqual({
            upgraded: true,
            closeCode: 1002,
          }),
      ],
      [
        'a frame announcing 300 MiB',
        async () =>
          expect(await upgradeThenSend(announce(300 * 1024 * 1024))).toEqual({ upgraded: true, closeCode: 1009 }),
      ],
      [
        'a frame announcing 2^53 bytes',
        async () => expect((await upgradeThenSend(announce(2 ** 53 - 1))).upgraded).toBe(true),
      ],
      [
        'a text frame of invalid UTF-8',
        async () =>
          expect(await upgradeThenSend(frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])))).toEqual({
            upgraded: true,
            closeCode: 1007,
          }),
      ],
      [
        'an unknown opcode',
        async () =>
          expect(await upgradeThenSend(frame(0x3, Buffer.from('x')))).toEqual({ upgraded: true, closeCode: 1002 }),
      ],
      [
        '20 sockets at once',
        async () => {
          const opened = await Promise.all(Array.from({ length: 20 }, () => openSocket()));
          const open = opened.filter((o): o is { socket: WebSocket } => 'socket' in o);
          expect(open).toHaveLength(DEFAULT_HOST_LIMITS.maxConnections);
          expect(opened.filter((o) => 'refused' in o).map((o) => o.refused)).toEqual(
            Array(20 - DEFAULT_HOST_LIMITS.maxConnections).fill(503),
          );
          await Promise.all(
            open.map(
              ({ socket }) =>
                new Promise((resolve) => {
                  socket.once('close', resolve);
                  socket.close();
                }),
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, 100));
        },
      ],
    ];

    let survived = 0;
    for (const [name, attack] of attacks) {
      await attack();
      expect(await servesPage(), `after: ${name}`).toBe(true);
      survived++;
    }
    console.log(`loopback host: ${attacks.length} attacks sent, ${survived} survived`);
    expect(survived).toBe(attacks.length);

    // Normal use afterwards: the page with its CSP, a script, and a channel call over a fresh WebSocket.
    const page = await raw(`GET / HTTP/1.1\r\nHost: ${hostHeader()}\r\nConnection: close\r\n\r\n`);
    expect(page.toString()).toContain(`Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`);
    expect(await get('/assets/app.js')).toBe(200);
    const info = await ask('{"id":7,"channel":"app:info","payload":{}}');
    expect(info).toMatchObject({ id: 7, result: { ok: true } });
    expect(warnings.some((line) => /Invalid WebSocket frame: MASK must be set/.test(line))).toBe(true);
    expect(warnings.some((line) => /Max payload size exceeded/.test(line))).toBe(true);
  });

  it('the default message limit holds the largest file the app opens, uploaded once with its header', () => {
    expect(DEFAULT_HOST_LIMITS.maxMessageBytes).toBeGreaterThan(MAX_PICKED_FILE_BYTES);
    expect(DEFAULT_HOST_LIMITS.maxMessageBytes).toBeLessThan(MAX_PICKED_FILE_BYTES + 64 * 1024);
  });

  it('takes a file uploaded once as a binary message and answers its handle, which an import then names', async () => {
    const uploadFrame = (header: unknown, body: Buffer) => {
      const json = Buffer.from(JSON.stringify(header));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(json.length);
      return Buffer.concat([length, json, body]);
    };
    const text = JSON.stringify(ringNetwork('Uploaded ring'));
    const uploaded = await ask(
      uploadFrame({ id: 3, channel: 'files:upload', payload: 'ring.json' }, Buffer.from(text)),
    );
    expect(uploaded).toMatchObject({
      id: 3,
      result: {
        ok: true,
        value: { fileName: 'ring.json', size: Buffer.byteLength(text), handle: stringMatching(/^[0-9a-f]{32}$/) },
      },
    });
    const ref = uploaded.result.value as { fileName: string; handle: string };
    const imported = await ask(JSON.stringify({ id: 4, channel: 'datasets:import', payload: ref }));
    expect(imported).toMatchObject({ id: 4, result: { ok: true } });
    // not an upload: a bad header length, a header that is not JSON, the wrong channel, no file name
    for (const frame of [
      Buffer.from([0, 0]),
      Buffer.from([0, 0, 0, 9, 1, 2]),
      uploadFrame({ id: 5, channel: 'datasets:import', payload: 'x.json' }, Buffer.alloc(3)),
      uploadFrame({ id: 6, channel: 'files:upload' }, Buffer.alloc(3)),
    ]) {
      const refused = await ask(frame);
      expect(refused.result.ok).toBe(false);
      expect(refused.result.error!.message).toMatch(/upload/);
    }
    const forged = await ask(
      JSON.stringify({ id: 7, channel: 'datasets:import', payload: { fileName: 'ring.json', handle: 'f'.repeat(32) } }),
    );
    expect(forged.result.error!.message).toBe('ring.json is no longer open here; choose it again');
    expect(await servesPage()).toBe(true);
  });

  it('maps request targets inside the renderer folder only', () => {
    const root = '/srv/renderer';
    expect(resolveStaticTarget(root, '/')).toEqual({
      file: '/srv/renderer/index.html',
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveStaticTarget(root, '/assets/a%20b.js?v=1#x')).toMatchObject({ file: '/srv/renderer/assets/a b.js' });
    expect(resolveStaticTarget(root, '/./assets//a.js')).toMatchObject({ file: '/srv/renderer/assets/a.js' });
    for (const bad of [
      '/%zz',
      '/%E0%A4%A',
      '/..',
      '/../renderer2/x.js',
      '/a/%2e%2e/%2e%2e/b.js',
      '/%00.js',
      '/a%5cb.js',
      'x.js',
      '',
      '//evil/x.js/../..',
    ]) {
      expect(resolveStaticTarget(root, bad), bad).toEqual({ status: 400 });
    }
    expect(resolveStaticTarget(root, `/${'a'.repeat(5000)}`)).toEqual({ status: 414 });
    expect(resolveStaticTarget(root, '/index.exe')).toEqual({ status: 404 });
    expect(resolveStaticTarget(root, '/.env')).toEqual({ status: 404 });
  });
});

describe('the loopback host with small limits', () => {
  it('closes a socket whose message is over the limit and refuses sockets over the count', async () => {
    const small = freshApp();
    const dir = tempDir('cwb-renderer-');
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html>');
    const lines: string[] = [];
    const limited = await startLoopbackHost(small, {
      rendererDir: dir.path,
      limits: { maxMessageBytes: 1024, maxConnections: 2 },
      warn: (line) => lines.push(line),
    });
    try {
      const url = `ws://127.0.0.1:${limited.port}/api?token=${limited.token}`;
      const options = { origin: `http://127.0.0.1:${limited.port}` };
      const open = () =>
        new Promise<WebSocket | number>((resolve) => {
          const socket = new WebSocket(url, options);
          socket.on('open', () => resolve(socket));
          socket.on('unexpected-response', (_q, response) => resolve(response.statusCode ?? 0));
          socket.on('error', () => {});
        });
      const first = (await open()) as WebSocket;
      const closed = new Promise<number>((resolve) => first.once('close', (code) => resolve(code)));
      first.send(JSON.stringify({ id: 1, channel: 'app:info', payload: { pad: 'x'.repeat(2000) } }));
      expect(await closed).toBe(1009);
      const [a, b, c] = await Promise.all([open(), open(), open()]);
      expect([a, b, c].filter((s) => s === 503)).toHaveLength(1);
      const socket = [a, b, c].find((s): s is WebSocket => typeof s !== 'number')!;
      const answer = new Promise<string>((resolve) => socket.once('message', (data) => resolve(messageText(data))));
      socket.send('{"id":2,"channel":"app:info","payload":{}}');
      expect(JSON.parse(await answer)).toMatchObject({ id: 2, result: { ok: true } });
      for (const s of [a, b, c]) if (typeof s !== 'number') s.terminate();
    } finally {
      await limited.close();
      await small.dispose();
      dir.remove();
    }
  });
});
