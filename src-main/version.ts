import { readFileSync } from 'node:fs';

/** The product's version (package.json), recorded with every saved run, brief and export. */
export const softwareVersion: string = readPackageVersion();

function readPackageVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location: source tree and bundle sit at different depths
    }
  }
  return '0.0.0';
}
