/**
 * One case of `npm run bench -- stress-jobs`, in its own process so that its peak memory is its own:
 *   stress-job-dense-case.ts BANKS SCENARIOS
 * stores a dense random network (bench/scale-network.ts) in a fresh encrypted store, then runs a `stress` job over
 * it split across two workers (uniform shocks up to 10%), as the desktop does. Prints one JSON line: the job's
 * seconds and the process's peak resident memory before and after the job (VmHWM; the workers are threads of
 * this process), so the growth is what the job's shards add to the network the store handed over.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkDocument } from '../src-shared/formats/network';
import { JobManager } from '../src-main/jobs/manager';
import { openDatabase } from '../src-main/store/db';
import { datasets, networks } from '../src-main/store/repositories';
import { randomBalanceSheetSystem } from './scale-network';

const [banksText, scenariosText] = process.argv.slice(2);
const n = Number(banksText);
const system = randomBalanceSheetSystem(n, 'dense', 2026);
const document: NetworkDocument = {
  format: 'contagion-workbench/network@1',
  name: `dense ${n}`,
  currency: 'EUR',
  unit: 'million',
  nodes: system.ids.map((id, i) => ({
    id,
    name: id,
    outsideAssets: system.outsideAssets[i]!,
    outsideLiabilities: system.outsideLiabilities[i]!,
  })),
  liabilities: [],
};
for (let i = 0; i < n; i++) {
  for (let j = 0; j < n; j++) {
    const amount = system.pbarMatrix[i * n + j]!;
    if (amount > 0) document.liabilities.push({ debtor: system.ids[i]!, creditor: system.ids[j]!, amount });
  }
}
const peakMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-'));
const db = openDatabase(dir, { key: randomBytes(32) });
try {
  const dataset = datasets.insert(db, {
    name: document.name,
    kind: 'network',
    sourceFile: 'generated',
    sha256: '0'.repeat(64),
    report: { importer: 'bench', kept: n, skipped: [], notes: [] },
  });
  const networkId = networks.insert(db, { datasetId: dataset.id, name: document.name, kind: 'interbank' });
  const { versionId } = networks.addVersion(db, networkId, document, 'bench');
  document.liabilities.length = 0;
  const before = peakMiB();
  const started = performance.now();
  const final = await new JobManager(db, () => {}, 2).start('stress', {
    versionId,
    shockModel: { kind: 'uniform', maxFraction: 0.1 },
    samples: Number(scenariosText),
    seed: 1,
  }).done;
  if (final.status !== 'succeeded') throw new Error(`stress job ${final.status}: ${final.error}`);
  process.stdout.write(
    `${JSON.stringify({
      banks: n,
      links: system.nLinks,
      scenarios: Number(scenariosText),
      workers: 2,
      seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      peakBeforeJobMiB: Math.round(before),
      peakMiB: Math.round(peakMiB()),
    })}\n`,
  );
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
