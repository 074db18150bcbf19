#!/usr/bin/env node
// npm run bench: runs every bench/*.bench.ts and writes bench/results.json (figures as JSON, with the ratios
// each benchmark takes against its plain reference implementation in the same process).
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
