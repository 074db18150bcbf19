/**
 * The loopback host: the built renderer and the router on one origin (so the production CSP, `connect-src
 * 'self'`, is what browser mode and the end-to-end tests exercise). Listens on 127.0.0.1 only, on a random port,
 * with a random per-start token; checks Host and Origin exactly, serves known files only, caps message sizes and
 * open connections. No request, message or frame can stop it: every handler answers or closes that one
 * connection, and nothing is thrown to the event loop (docs/data-protection/host-and-electron.md).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { JOB_EVENT_CHANNEL, type JobEvent } from '../../src-shared/jobs';
import type { ApiResult } from '../../src-shared/errors';
import type { AppContext } from '../app';
import { MAX_PICKED_FILE_BYTES } from '../../src-shared/bridge';
import { resolveStaticTarget, staticHeaders } from '../io/static-files';

export { CONTENT_SECURITY_POLICY } from '../io/static-files';

/** The most bytes an upload's header (its id and file name, as JSON) may take. */
const UPLOAD_HEADER_BYTES = 4096;

export interface HostLimits {
  /**
   * Largest WebSocket message in bytes; a frame announcing more closes that socket (1009). The default holds the
   * largest file the app opens (150 MB, uploaded once as a binary message) plus its header.
   */
  maxMessageBytes: number;
  /** Open WebSocket connections at once; more are refused at the upgrade with 503. */
  maxConnections: number;
  /** Open TCP connections at once (pages, files, sockets); more are dropped by the server. */
  maxTcpConnections: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = {
  maxMessageBytes: MAX_PICKED_FILE_BYTES + UPLOAD_HEADER_BYTES + 4,
  maxConnections: 8,
  maxTcpConnections: 64,
};

export interface LoopbackHost {
  url: string;
  token: string;
  port: number;
  /** Pushes a job event to every connected page. */
  broadcast(event: JobEvent): void;
  close(): Promise<void>;
}

type Reply = { id: string | number | null; result: ApiResult<unknown> };

const refusal = (message: string): ApiResult<unknown> => ({ ok: false, error: { code: 'invalid_input', message } });

/** The message's id (echoed back), channel and payload, or what is wrong with it in one line. */
function parseMessage(data: RawData): { id: Reply['id']; channel?: string; payload?: unknown; problem?: string } {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  let request: unknown;
  try {
    request = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { id: null, problem: 'message is not JSON' };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return { id: null, problem: 'message is not a JSON object with a channel and a payload' };
  }
  const { id, channel, payload } = request as Record<string, unknown>;
  const safeId =
    (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= 100) ? id : null;
  if (typeof channel !== 'string') return { id: safeId, problem: 'message has no channel name' };
  return { id: safeId, channel, payload };
}

function plainStatus(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  response.end(`${STATUS_CODES[status] ?? 'Error'}\n`);
}

type Warn = (line: string) => void;
type HostOk = (request: IncomingMessage) => boolean;

/** A known file of the built renderer, for GET and HEAD from the host's own origin. */
async function serveFile(
  rendererDir: string,
  hostOk: HostOk,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!hostOk(request)) return plainStatus(response, 421);
  if (request.method !== 'GET' && request.method !== 'HEAD') return plainStatus(response, 405, { Allow: 'GET, HEAD' });
  const target = resolveStaticTarget(rendererDir, request.url ?? '/');
  if ('status' in target) return plainStatus(response, target.status);
  let body: Buffer;
  try {
    body = await readFile(target.file);
  } catch {
    return plainStatus(response, 404);
  }
  response.writeHead(200, staticHeaders(target.contentType));
  response.end(request.method === 'HEAD' ? undefined : body);
}

/**
 * Malformed requests (bad request line, headers over 16 KiB, timeouts): answer when the socket can still take it,
 * then close that socket only. Without a listener Node does much the same, but this keeps it explicit.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  if (socket.writable && !(socket as Socket).destroyed && error.code !== 'ECONNRESET') {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

/** Sends a message as JSON to an open socket; one that cannot be written as JSON is answered with an internal error. */
function sendJson(socket: WebSocket, message: unknown, warn: Warn): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    text = JSON.stringify({
      id: (message as Reply).id ?? null,
      result: {
        ok: false,
        error: { code: 'internal', message: `answer could not be sent: ${(error as Error).message}` },
      },
    });
  }
  socket.send(text, (error) => error && warn(`send failed: ${error.message}`));
}

/** The WebSocket upgrade's check: the host's own Host and Origin, the token, and room for one more connection. */
function upgradeVerifier(
  hostOk: HostOk,
  origin: () => string,
  token: string,
  openSockets: () => number,
  maxConnections: number,
) {
  return ({ req }: { req: IncomingMessage }, accept: (ok: boolean, code?: number, message?: string) => void) => {
    try {
      if (!hostOk(req) || req.headers.origin !== origin()) return accept(false, 403, 'Forbidden');
      const given = Buffer.from(new URL(req.url ?? '', origin()).searchParams.get('token') ?? '');
      const expected = Buffer.from(token);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return accept(false, 401, 'Unauthorized');
      if (openSockets() >= maxConnections) return accept(false, 503, `Too many open connections (${maxConnections})`);
      accept(true);
    } catch {
      accept(false, 400, 'Bad Request');
    }
  };
}

/**
 * A picked file uploaded once (browser mode), as one binary message: 4 bytes (big-endian) giving the length of a
 * JSON header `{ id, fileName }`, the header, then the file's bytes. The answer is the file's handle
 * (api/file-handles.ts), which previews and imports then name; the bytes stay in this process.
 */
function answerUpload(context: AppContext, data: RawData): Reply {
  const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  const headerLength = bytes.length >= 4 ? bytes.readUInt32BE(0) : -1;
  if (headerLength < 2 || headerLength > UPLOAD_HEADER_BYTES || bytes.length < 4 + headerLength) {
    return {
      id: null,
      result: refusal('binary message is not an upload (a 4-byte header length, a JSON header, the file)'),
    };
  }
  const header = parseMessage(bytes.subarray(4, 4 + headerLength));
  const fileName = (header as { payload?: unknown }).payload;
  if (
    header.channel !== 'files:upload' ||
    typeof fileName !== 'string' ||
    fileName.length === 0 ||
    fileName.length > 255
  ) {
    return {
      id: header.id,
      result: refusal('upload header must name the channel files:upload and give the file name as its payload'),
    };
  }
  try {
    return {
      id: header.id,
      result: { ok: true, value: context.files.fromBytes(fileName, Buffer.from(bytes.subarray(4 + headerLength))) },
    };
  } catch (error) {
    return { id: header.id, result: refusal((error as Error).message) };
  }
}

/** The router's answer to one message, or a refusal; never throws. */
async function answerMessage(context: AppContext, data: RawData, warn: Warn): Promise<Reply> {
  let id: Reply['id'] = null;
  let result: ApiResult<unknown>;
  try {
    const message = parseMessage(data);
    id = message.id;
    result = message.problem ? refusal(message.problem) : await context.router.handle(message.channel, message.payload);
  } catch (error) {
    warn(`message failed: ${(error as Error).message}`);
    result = { ok: false, error: { code: 'internal', message: 'the request failed inside the host' } };
  }
  return { id, result };
}

/** Listens on 127.0.0.1 (port 0: a random free port) and resolves with the port. */
async function listenOnLoopback(server: Server, port: number, warn: Warn): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => warn(`server error: ${error.message}`));
  return (server.address() as AddressInfo).port;
}

export async function startLoopbackHost(
  context: AppContext,
  options: { rendererDir: string; port?: number; limits?: Partial<HostLimits>; warn?: Warn },
): Promise<LoopbackHost> {
  const limits: HostLimits = { ...DEFAULT_HOST_LIMITS, ...options.limits };
  const warn = options.warn ?? ((line: string) => console.warn(`[host] ${line}`));
  const token = randomBytes(24).toString('base64url');
  let origin = '';
  const hostOk = (request: IncomingMessage) => request.headers.host === origin.slice('http://'.length);

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (request, response) => {
    serveFile(options.rendererDir, hostOk, request, response).catch((error: unknown) => {
      warn(`request failed: ${(error as Error).message}`);
      if (!response.headersSent) plainStatus(response, 500);
      else response.destroy();
    });
  });
  server.maxConnections = limits.maxTcpConnections;
  server.on('clientError', answerClientError);

  const sockets = new Set<WebSocket>();
  const send = (socket: WebSocket, message: unknown) => sendJson(socket, message, warn);
  const wss = new WebSocketServer({
    server,
    path: '/api',
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    verifyClient: upgradeVerifier(
      hostOk,
      () => origin,
      token,
      () => sockets.size,
      limits.maxConnections,
    ),
  });
  wss.on('error', (error) => warn(`server error: ${error.message}`));
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Protocol errors (an unmasked frame, a frame over maxPayload, invalid UTF-8): ws closes this socket with
    // 1002 / 1009 / 1007 and reports the error here; without this listener it would end the process.
    socket.on('error', (error) => warn(`socket closed: ${error.message}`));
    socket.on('message', (data, isBinary) => {
      if (isBinary) send(socket, answerUpload(context, data));
      else void answerMessage(context, data, warn).then((reply) => send(socket, reply satisfies Reply));
    });
  });

  const port = await listenOnLoopback(server, options.port ?? 0, warn);
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    token,
    port,
    broadcast(event) {
      const message = { event: JOB_EVENT_CHANNEL, data: event };
      for (const socket of sockets) send(socket, message);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
