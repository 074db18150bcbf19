#!/usr/bin/env node
// cwb: the Contagion Workbench command line (runs the TypeScript sources through tsx).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
