/**
 * A stress run keeps its largest-loss scenario's outcome, cleared under the run's own rule, so the screen, the
 * overlay and the brief draw one result: for a Rogers–Veraart run that is not the Eisenberg–Noe outcome.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clearScenario } from '../../src-main/engines/clearing';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { JobManager } from '../../src-main/jobs/manager';
import type { StressRunResults } from '../../src-shared/results/stress';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const recovery = { alpha: 0.5, beta: 0.6 };

describe('largest-loss scenario of a stress run', () => {
  it("is stored with its outcome under the run's recovery rates, and networks:clearScenario gives the same with them", async () => {
    app = freshApp();
    const document = ringNetwork();
    const imported = await app.router.handle('datasets:import', picked(app, 'ring.json', JSON.stringify(document)));
    if (!imported.ok) throw new Error(imported.error.message);
    const { versionId } = imported.value as { versionId: number };
    const manager = new JobManager(app.db, () => undefined, 1);
    const final = await manager.start('stress', {
      versionId,
      shockModel: { kind: 'uniform', maxFraction: 0.5 },
      samples: 500,
      seed: 3,
      recovery,
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const largest = (runs.get(app.db, final.runId!).results as StressRunResults).largestLossScenario!;
    const stored = largest.outcome!;

    // Independently: the engine on the same shocks, with and without the run's recovery rates.
    const system = toClearingSystem(document);
    const shock = system.ids.map((id) => largest.shocks[id] ?? 0);
    const rogersVeraart = clearScenario(system, shock, { depth: true, ...recovery });
    const eisenbergNoe = clearScenario(system, shock, { depth: true });
    expect(stored.loss).toBeCloseTo(rogersVeraart.loss, 9);
    expect(stored.loss).toBeCloseTo(largest.loss, 9);
    expect(Math.abs(stored.loss - eisenbergNoe.loss)).toBeGreaterThan(1e-3);
    expect(stored.defaults.map((d) => d.id)).toEqual(rogersVeraart.defaults.map((i) => system.ids[i]));
    system.ids.forEach((id, i) => expect(stored.payments[id]).toBeCloseTo(rogersVeraart.payments[i]!, 9));

    const again = await app.router.handle('networks:clearScenario', { versionId, shocks: largest.shocks, recovery });
    expect(again.ok && again.value).toEqual(stored);
    const plain = await app.router.handle('networks:clearScenario', { versionId, shocks: largest.shocks });
    expect(plain.ok && (plain.value as { loss: number }).loss).toBeCloseTo(eisenbergNoe.loss, 9);
  });
});
