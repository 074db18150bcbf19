/**
 * firesale@1 documents (src-shared/formats/firesale.ts) to the arrays of the fire-sale engine, and back for the
 * paper's case studies. Interbank liabilities become an Eisenberg–Noe system whose outside assets are each
 * bank's other assets, cash and holdings at par and whose outside liabilities are the rest of its liabilities.
 */
import { FIRESALE_FORMAT, type FireSaleDocument, type FireSaleDocumentInput } from '../../src-shared/formats/firesale';
import { NETWORK_FORMAT } from '../../src-shared/formats/network';
import { EngineInputError } from './errors';
import type { FireSaleSystem, SimulationSpec } from './fire-sales';
import { toClearingSystem } from './network-arrays';

export function toFireSaleSystem(doc: FireSaleDocument): FireSaleSystem {
  const nBanks = doc.banks.length;
  const nAssets = doc.assets.length;
  const bankIndex = new Map(doc.banks.map((bank, n) => [bank.id, n]));
  const assetIndex = new Map(doc.assets.map((asset, m) => [asset.id, m]));
  const holdings = new Float64Array(nBanks * nAssets);
  for (const { bank, asset, units } of doc.holdings)
    holdings[bankIndex.get(bank)! * nAssets + assetIndex.get(asset)!]! += units;
  const impact = new Float64Array(nAssets * nAssets);
  doc.assets.forEach((asset, m) => (impact[m * nAssets + m] = asset.impact));
  for (const entry of doc.inverseDemand.crossImpact)
    impact[assetIndex.get(entry.to)! * nAssets + assetIndex.get(entry.from)!] = entry.impact;
  const system: FireSaleSystem = {
    bankIds: doc.banks.map((bank) => bank.id),
    assetIds: doc.assets.map((asset) => asset.id),
    holdings,
    otherAssets: Float64Array.from(doc.banks, (bank) => bank.otherAssets),
    cash: Float64Array.from(doc.banks, (bank) => bank.cash),
    liabilities: Float64Array.from(doc.banks, (bank) => bank.liabilities),
    strategy:
      doc.strategy === 'leverage-target'
        ? { kind: 'leverage-target', maxLeverage: Float64Array.from(doc.banks, (bank) => bank.maxLeverage!) }
        : { kind: 'proportional' },
    inverseDemand: { form: doc.inverseDemand.form, impact },
  };
  if (doc.interbank && doc.interbank.length > 0) {
    const owed = new Float64Array(nBanks);
    for (const entry of doc.interbank) owed[bankIndex.get(entry.debtor)!]! += entry.amount;
    const nodes = doc.banks.map((bank, n) => {
      if (owed[n]! > bank.liabilities)
        throw new EngineInputError(
          `bank "${bank.id}": interbank liabilities ${owed[n]} exceed its liabilities ${bank.liabilities}`,
          `banks.${n}.liabilities`,
        );
      let atPar = 0;
      for (let m = 0; m < nAssets; m++) atPar += holdings[n * nAssets + m]!;
      return {
        id: bank.id,
        outsideAssets: bank.otherAssets + bank.cash + atPar,
        outsideLiabilities: bank.liabilities - owed[n]!,
      };
    });
    system.interbank = toClearingSystem({ format: NETWORK_FORMAT, name: doc.name, nodes, liabilities: doc.interbank });
  }
  return system;
}

/** Scenario of the document as engine arrays (absent banks keep their liabilities and lose nothing). */
export function scenarioOfDocument(doc: FireSaleDocument): {
  liabilities?: Float64Array;
  otherAssetLosses?: Float64Array;
} {
  const scenario = doc.scenario;
  if (!scenario) return {};
  return {
    liabilities: scenario.liabilities
      ? Float64Array.from(doc.banks, (bank) => scenario.liabilities![bank.id] ?? bank.liabilities)
      : undefined,
    otherAssetLosses: scenario.otherAssetLosses
      ? Float64Array.from(doc.banks, (bank) => scenario.otherAssetLosses![bank.id] ?? 0)
      : undefined,
  };
}

export function simulationSpecOf(doc: FireSaleDocument): SimulationSpec {
  if (!doc.shocks) throw new EngineInputError('the system has no "shocks" range to simulate data from', 'shocks');
  return {
    system: toFireSaleSystem(doc),
    shockChannel: doc.shocks.channel,
    shockLow: doc.shocks.low,
    shockHigh: doc.shocks.high,
  };
}

/** A simulation spec as a firesale@1 document (the case studies, for the screen and `cwb`). */
export function documentOfSpec(spec: SimulationSpec, name: string): FireSaleDocumentInput {
  const { system } = spec;
  const nAssets = system.assetIds.length;
  return {
    format: FIRESALE_FORMAT,
    name,
    banks: system.bankIds.map((id, n) => ({
      id,
      liabilities: system.liabilities[n]!,
      otherAssets: system.otherAssets[n]!,
      cash: system.cash[n]!,
      ...(system.strategy.kind === 'leverage-target' ? { maxLeverage: system.strategy.maxLeverage[n]! } : {}),
    })),
    assets: system.assetIds.map((id, m) => ({ id, impact: system.inverseDemand.impact[m * nAssets + m]! })),
    holdings: system.bankIds
      .flatMap((bank, n) =>
        system.assetIds.map((asset, m) => ({ bank, asset, units: system.holdings[n * nAssets + m]! })),
      )
      .filter((h) => h.units > 0),
    inverseDemand: {
      form: system.inverseDemand.form,
      crossImpact: system.assetIds.flatMap((to, m) =>
        system.assetIds
          .map((from, k) => ({ from, to, impact: system.inverseDemand.impact[m * nAssets + k]! }))
          .filter((entry, k) => k !== m && entry.impact > 0),
      ),
    },
    strategy: system.strategy.kind,
    shocks: { channel: spec.shockChannel, low: spec.shockLow, high: spec.shockHigh },
  };
}
