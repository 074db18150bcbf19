/**
 * The cross-holdings economy format `contagion-workbench/crossholdings@1` (docs/formats.md): the
 * Elliott–Golub–Jackson model. C_ij = share of firm j held by firm i (holder i, issuer j), C_ii = 0 and every
 * column sum of C below 1; D_ik = share of asset k held by firm i; thresholds θ and failure costs β per firm.
 */
import { z } from 'zod';
import { MAX_AMOUNT, MAX_NODES, MAX_TEXT_LENGTH } from './network';
import { exportMetadataSchema } from './export-marking';

export const CROSSHOLDINGS_FORMAT = 'contagion-workbench/crossholdings@1';

const share = z.number().finite().min(0).max(1);
const id = z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`);
const amount = z
  .number()
  .finite()
  .min(0, 'must be ≥ 0')
  .max(MAX_AMOUNT, 'must be at most 1e15 (larger amounts could overflow sums)');

export const firmSchema = z.object({
  id,
  name: z.string().max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`).optional(),
  threshold: amount,
  failureCost: amount,
});

export const economyDocumentSchema = z
  .object({
    format: z.literal(CROSSHOLDINGS_FORMAT),
    /** The classification marking of an exported file (export-marking.ts); importers leave it out of the stored economy. */
    metadata: exportMetadataSchema.optional(),
    name: z.string().min(1, 'must not be empty'),
    firms: z
      .array(firmSchema)
      .min(1, 'the economy has no firms')
      .max(MAX_NODES, `more than ${MAX_NODES.toLocaleString('en-US')} firms`),
    assets: z.array(z.object({ id, price: amount })),
    assetHoldings: z.array(z.object({ firm: id, asset: id, share })),
    crossHoldings: z.array(z.object({ holder: id, issuer: id, share })),
  })
  .superRefine((doc, ctx) => {
    const firms = uniqueIds(doc.firms, 'firms', ctx);
    const assets = uniqueIds(doc.assets, 'assets', ctx);
    const pairs = new Set<string>();
    doc.assetHoldings.forEach((entry, index) => {
      if (!firms.has(entry.firm))
        ctx.addIssue({
          code: 'custom',
          path: ['assetHoldings', index, 'firm'],
          message: `unknown firm "${entry.firm}"`,
        });
      if (!assets.has(entry.asset))
        ctx.addIssue({
          code: 'custom',
          path: ['assetHoldings', index, 'asset'],
          message: `unknown asset "${entry.asset}"`,
        });
      const key = `${entry.firm}\u0000${entry.asset}`;
      if (pairs.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['assetHoldings', index],
          message: `second entry for firm "${entry.firm}" and asset "${entry.asset}"`,
        });
      pairs.add(key);
    });
    const crossPairs = new Set<string>();
    doc.crossHoldings.forEach((entry, index) => {
      const at = ['crossHoldings', index];
      if (!firms.has(entry.holder))
        ctx.addIssue({ code: 'custom', path: [...at, 'holder'], message: `unknown firm "${entry.holder}"` });
      if (!firms.has(entry.issuer))
        ctx.addIssue({ code: 'custom', path: [...at, 'issuer'], message: `unknown firm "${entry.issuer}"` });
      if (entry.holder === entry.issuer)
        ctx.addIssue({ code: 'custom', path: at, message: `firm "${entry.holder}" cannot hold itself (C_ii = 0)` });
      const key = `${entry.holder}\u0000${entry.issuer}`;
      if (crossPairs.has(key))
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `second entry for holder "${entry.holder}" and issuer "${entry.issuer}"`,
        });
      crossPairs.add(key);
    });
    for (const [issuer, sum] of crossHoldingColumnSums(doc)) {
      if (sum >= 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['crossHoldings'],
          message: `shares of firm "${issuer}" held by other firms sum to ${sum} (must be below 1)`,
        });
      }
    }
  });

function uniqueIds(list: ReadonlyArray<{ id: string }>, path: string, ctx: z.RefinementCtx): Set<string> {
  const ids = new Set<string>();
  list.forEach((item, index) => {
    if (ids.has(item.id))
      ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `duplicate id "${item.id}"` });
    ids.add(item.id);
  });
  return ids;
}

/** Σ_i C_ij per issuer j: the share of each firm held by other firms (must stay below 1). */
export function crossHoldingColumnSums(doc: Pick<EconomyDocument, 'crossHoldings'>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const entry of doc.crossHoldings) sums.set(entry.issuer, (sums.get(entry.issuer) ?? 0) + entry.share);
  return sums;
}

export type Firm = z.infer<typeof firmSchema>;
export type EconomyDocument = z.infer<typeof economyDocumentSchema>;
