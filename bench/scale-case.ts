/**
 * One case of `npm run bench -- scale`, run in its own process so that its peak RSS is its own:
 *   scale-case.ts KIND N F SCENARIOS PATH [PEER_DIR]
 * KIND dense | sparse | eba; PATH batched (the stress engine's own choice) or per-scenario (the engine before
 * batching: `exactPath: 'general'`, or 'auto' where the choice is unchanged). Writes the network for the numpy
 * peer into PEER_DIR when given. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prefersBatchedClearing } from '../src-main/engines/batched-clearing';
import { maxentFromDocument, withLiabilities } from '../src-main/engines/maxent';
import { toClearingSystem, type ClearingSystem } from '../src-main/engines/network-arrays';
import { runStressBatch } from '../src-main/engines/stress';
import { decodeLatin1, parseEbaDisclosure } from '../src-main/io/eba-disclosure';
import { randomBalanceSheetSystem, writePeerFiles } from './scale-network';

const [kind, nText, fractionText, scenariosText, path, peerDir] = process.argv.slice(2);

function network(): ClearingSystem {
  if (kind === 'eba') {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const bytes = readFileSync(resolve(here, '../resources/samples/eba-2011-disclosure.csv'));
    const { document } = parseEbaDisclosure(decodeLatin1(bytes), 'eba-2011-disclosure.csv');
    return toClearingSystem(withLiabilities(document, maxentFromDocument(document).matrix));
  }
  return randomBalanceSheetSystem(Number(nText), kind === 'dense' ? 'dense' : 10, 2026);
}

const system = network();
if (peerDir) writePeerFiles(system, peerDir);
const scenarios = Number(scenariosText);
const model = { kind: 'uniform' as const, maxFraction: Number(fractionText) };
const exactPath = path === 'per-scenario' && prefersBatchedClearing(system) ? 'general' : 'auto';
runStressBatch(system, model, 99, 0, Math.min(scenarios, 64), undefined, { exactPath }); // warm-up
const started = performance.now();
const partial = runStressBatch(system, model, 1, 0, scenarios, undefined, { exactPath });
const seconds = (performance.now() - started) / 1000;
let defaults = 0;
partial.defaultsHistogram.forEach((count, k) => (defaults += count * k));
process.stdout.write(
  `${JSON.stringify({
    banks: system.nBanks,
    links: system.nLinks,
    batched: exactPath === 'auto' && prefersBatchedClearing(system),
    scenarios,
    msPerScenario: (1000 * seconds) / scenarios,
    meanDefaults: defaults / scenarios,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
