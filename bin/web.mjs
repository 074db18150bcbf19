#!/usr/bin/env node
// npm run web: the app in a browser on 127.0.0.1 (for machines where Electron cannot start). The Node version is
// checked first; tsx and the sources are imported only afterwards (dynamic imports, not hoisted).
import { requireSupportedNode } from './node-check.mjs';

requireSupportedNode('bin/web.mjs', 'npm run web');
const { register } = await import('tsx/esm/api');
register();
await import('../src-main/host/main.ts');
