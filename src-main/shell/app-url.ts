/**
 * Which URLs are the app's own, as pure functions (no Electron import, so the tests can load them): the packaged
 * renderer is served from the privileged custom protocol `app://bundle/`, and in development from the dev server.
 * Every other URL — file://, javascript:, data:, blob:, another host of app://, user info, a port — is not.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window loads when there is no dev server. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True for the app's own pages: `app://bundle/…` exactly (no user info, no port), or, in development, a URL of
 * the dev server's origin (same scheme, host and port — `http://localhost:5173@evil` or `…:5173.evil` are not).
 */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  if (typeof url !== 'string' || /[\s\0]/.test(url)) return false;
  const parsed = parse(url);
  if (!parsed || parsed.username || parsed.password) return false;
  if (devServerUrl) {
    const dev = parse(devServerUrl);
    return !!dev && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === dev.origin;
  }
  return url.startsWith(`${APP_ORIGIN}/`) && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** The parts of a frame (Electron's WebFrameMain) that decide whether IPC from it is trusted. */
export interface FrameLike {
  url: string;
  processId: number;
  routingId: number;
}

/**
 * IPC is trusted only from the window's main frame (not an iframe, not a frame that has gone away) while it shows
 * an app URL.
 */
export function isTrustedFrame(
  frame: FrameLike | null | undefined,
  mainFrame: FrameLike | null | undefined,
  devServerUrl: string | undefined,
): boolean {
  if (!frame || !mainFrame) return false;
  const isMain =
    frame === mainFrame || (frame.processId === mainFrame.processId && frame.routingId === mainFrame.routingId);
  return isMain && isAppUrl(frame.url, devServerUrl);
}
