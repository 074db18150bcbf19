#!/usr/bin/env node
// npm run web: the app in a browser on 127.0.0.1 (for machines where Electron cannot start).
import { register } from 'tsx/esm/api';

register();
await import('../src-main/host/main.ts');
