/**
 * The loopback host: the built renderer and the router on one origin (so the production CSP, `connect-src
 * 'self'`, is what browser mode and the end-to-end tests exercise). Listens on 127.0.0.1 only, on a random port,
 * with a random per-start token; checks Host and Origin exactly, serves known files only, caps message sizes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { JOB_EVENT_CHANNEL, type JobEvent } from '../../src-shared/jobs';
import type { AppContext } from '../app';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const MAX_MESSAGE_BYTES = 200 * 1024 * 1024;

export interface LoopbackHost {
  url: string;
  token: string;
  port: number;
  /** Pushes a job event to every connected page. */
  broadcast(event: JobEvent): void;
  close(): Promise<void>;
}

export async function startLoopbackHost(
  context: AppContext,
  options: { rendererDir: string; port?: number },
): Promise<LoopbackHost> {
  const token = randomBytes(24).toString('base64url');
  let origin = '';
  const hostOk = (request: IncomingMessage) => request.headers.host === origin.slice('http://'.length);

  const server: Server = createServer((request, response) => {
    if (!hostOk(request) || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(request.method === 'GET' ? 421 : 405).end();
      return;
    }
    const path = decodeURIComponent(new URL(request.url ?? '/', origin).pathname);
    const relative = path === '/' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
    const file = join(options.rendererDir, relative);
    if (!file.startsWith(options.rendererDir + sep) || !MIME[extname(file)]) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => {
        response.writeHead(200, {
          'Content-Type': MIME[extname(file)]!,
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => response.writeHead(404).end(),
    );
  });

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    server,
    path: '/api',
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req }: { req: IncomingMessage }) => {
      if (!hostOk(req) || req.headers.origin !== origin) return false;
      const given = Buffer.from(new URL(req.url ?? '', origin).searchParams.get('token') ?? '');
      const expected = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', async (data) => {
      let request: { id?: unknown; channel?: unknown; payload?: unknown };
      try {
        request = JSON.parse(data.toString()) as typeof request;
      } catch {
        socket.send(JSON.stringify({ id: null, result: { ok: false, error: { code: 'invalid_input', message: 'message is not JSON' } } }));
        return;
      }
      const result = await context.router.handle(request.channel, request.payload);
      socket.send(JSON.stringify({ id: request.id ?? null, result }));
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    token,
    port,
    broadcast(event) {
      const message = JSON.stringify({ event: JOB_EVENT_CHANNEL, data: event });
      for (const socket of sockets) socket.send(message);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
