import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';

/** Three firms, each owning its own output asset; F1 and F2 hold 20% and 30% of F3. */
export function smallEconomy(): EconomyDocument {
  return {
    format: CROSSHOLDINGS_FORMAT,
    name: 'Three firms',
    firms: ['F1', 'F2', 'F3'].map((id) => ({ id, threshold: 50, failureCost: 10 })),
    assets: ['F1', 'F2', 'F3'].map((id) => ({ id: `${id}_out`, price: 100 })),
    assetHoldings: ['F1', 'F2', 'F3'].map((id) => ({ firm: id, asset: `${id}_out`, share: 1 })),
    crossHoldings: [
      { holder: 'F1', issuer: 'F3', share: 0.2 },
      { holder: 'F2', issuer: 'F3', share: 0.3 },
    ],
  };
}
