/**
 * Electron hardening: the only page is the app's own (app://bundle/, or the dev server in development: app-url.ts);
 * navigation and redirects of any frame elsewhere, new windows, webviews, permission requests and every network
 * request leaving the app are refused. Applied before the first window opens.
 */
import { app, session, type WebContents } from 'electron';
import { isAppUrl } from './app-url';

export { isAppUrl } from './app-url';

export function hardenSession(devServerUrl: string | undefined): void {
  const defaultSession = session.defaultSession;
  defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  defaultSession.setPermissionCheckHandler(() => false);
  defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const allowed =
      isAppUrl(details.url, devServerUrl) ||
      details.url.startsWith('devtools://') ||
      details.url.startsWith('data:') ||
      details.url.startsWith('blob:');
    if (!allowed) console.warn(`[security] blocked request to ${details.url}`);
    callback({ cancel: !allowed });
  });
}

export function hardenContents(contents: WebContents, devServerUrl: string | undefined): void {
  // A page that is not the app's must never load in a window that has the preload.
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function installAppWideGuards(devServerUrl: string | undefined): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, devServerUrl));
}
