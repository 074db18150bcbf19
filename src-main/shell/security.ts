/**
 * Electron hardening: the only page is the app's own; navigation, new windows, webviews, permission requests
 * and every network request leaving the app are refused. Applied before the first window opens.
 */
import { app, session, type WebContents } from 'electron';

/** True for the app's own pages: the dev server in development, the packaged files otherwise. */
export function isAppUrl(url: string, devServerUrl: string | undefined): boolean {
  if (devServerUrl) return url.startsWith(devServerUrl);
  return url.startsWith('file://');
}

export function hardenSession(devServerUrl: string | undefined): void {
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const allowed =
      isAppUrl(details.url, devServerUrl) || details.url.startsWith('devtools://') || details.url.startsWith('data:') || details.url.startsWith('blob:');
    if (!allowed) console.warn(`[security] blocked request to ${details.url}`);
    callback({ cancel: !allowed });
  });
}

export function hardenContents(contents: WebContents, devServerUrl: string | undefined): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installAppWideGuards(devServerUrl: string | undefined): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, devServerUrl));
}
