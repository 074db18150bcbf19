#!/usr/bin/env node
// cwb: the Contagion Workbench command line (runs the TypeScript sources through tsx). The Node version is
// checked first; tsx and the sources are imported only afterwards (dynamic imports, not hoisted).
import { requireSupportedNode } from './node-check.mjs';

requireSupportedNode('cwb');
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
