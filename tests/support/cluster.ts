/** What the cluster tests share: `cwb` run in this process, and the provenance a run merged from shards keeps. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { expect } from 'vitest';
import { main } from '../../src-main/cli/main';

/** `cwb ARGS…` in this process: exit code, standard output and standard error. */
export async function cwbInProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The `cluster` parameters of a run merged from `parts` (in order) of shards that read `input`. */
export const expectedClusterProvenance = (parts: string[], input: { path: string; name?: string }) => ({
  merged: true,
  shards: parts.length,
  parts: parts.map((part) => ({ file: basename(part), sha256: sha256(part) })),
  network: { name: input.name ?? (expect.any(String) as string), sha256: sha256(input.path) },
  host: hostname(),
  mergedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
});

/** A brief section's provenance rows as label → value. */
export const provenanceOf = (section: { provenance: Array<{ label: string; value: string }> }) =>
  Object.fromEntries(section.provenance.map((row) => [row.label, row.value]));
