/**
 * The fire-sale system format `contagion-workbench/firesale@1`: banks with liabilities, other (non-marketable)
 * assets, cash and a maximum leverage; illiquid assets with a price impact; holdings in units (price 1 before
 * the shock); the inverse demand form with optional cross-impacts; the liquidation strategy; the shock range
 * for data simulation; an optional scenario and an optional interbank liability list (Eisenberg–Noe coupling).
 */
import { z } from 'zod';

export const FIRESALE_FORMAT = 'contagion-workbench/firesale@1';

/** Bundled systems (src-main/api/firesale-services.ts). */
export const FIRESALE_EXAMPLES = [
  'case1-linear',
  'case1-exponential',
  'case1-arctangent',
  'case2',
  'case2-cross',
  'eba-2011',
] as const;
export type FireSaleExample = (typeof FIRESALE_EXAMPLES)[number];

const amount = z.number().finite().nonnegative();

export const fireSaleDocumentSchema = z
  .object({
    format: z.literal(FIRESALE_FORMAT),
    name: z.string().min(1, 'must not be empty'),
    unit: z.string().optional(),
    banks: z
      .array(
        z.object({
          id: z.string().min(1, 'must not be empty'),
          liabilities: amount,
          otherAssets: amount.default(0),
          cash: amount.default(0),
          maxLeverage: z.number().finite().gt(1, 'must be above 1').optional(),
        }),
      )
      .min(1, 'needs at least one bank')
      .max(5000),
    assets: z
      .array(z.object({ id: z.string().min(1, 'must not be empty'), impact: z.number().finite().nonnegative() }))
      .min(1, 'needs at least one asset')
      .max(500),
    holdings: z.array(z.object({ bank: z.string(), asset: z.string(), units: amount })),
    inverseDemand: z
      .object({
        form: z.enum(['linear', 'exponential', 'arctangent']),
        /** Effect of selling one unit of `from` on the price of `to` (x_to += impact · ℓ_from). */
        crossImpact: z
          .array(z.object({ from: z.string(), to: z.string(), impact: z.number().finite().nonnegative() }))
          .default([]),
      })
      .strict(),
    strategy: z.enum(['leverage-target', 'proportional']),
    /** Data simulation: shocks uniform on [low, high] per bank, entering as liabilities or other-asset losses. */
    shocks: z
      .object({ channel: z.enum(['liabilities', 'other-assets']), low: z.number().finite(), high: z.number().finite() })
      .strict()
      .refine((s) => s.high > s.low, { message: 'high must exceed low', path: ['high'] })
      .optional(),
    /** One scenario to simulate: new liabilities and/or losses on other assets, by bank id. */
    scenario: z
      .object({
        liabilities: z.record(z.string(), amount).optional(),
        otherAssetLosses: z.record(z.string(), amount).optional(),
      })
      .strict()
      .optional(),
    /** Interbank liabilities (debtor owes creditor), part of each bank's liabilities; couples Eisenberg–Noe. */
    interbank: z.array(z.object({ debtor: z.string(), creditor: z.string(), amount })).optional(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const banks = new Set<string>();
    doc.banks.forEach((bank, index) => {
      if (banks.has(bank.id))
        ctx.addIssue({ code: 'custom', path: ['banks', index, 'id'], message: `duplicate bank id "${bank.id}"` });
      banks.add(bank.id);
      if (doc.strategy === 'leverage-target' && bank.maxLeverage === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['banks', index, 'maxLeverage'],
          message: 'required by the leverage-target strategy',
        });
      }
    });
    const assets = new Set<string>();
    doc.assets.forEach((asset, index) => {
      if (assets.has(asset.id))
        ctx.addIssue({ code: 'custom', path: ['assets', index, 'id'], message: `duplicate asset id "${asset.id}"` });
      assets.add(asset.id);
    });
    doc.holdings.forEach((holding, index) => {
      if (!banks.has(holding.bank))
        ctx.addIssue({
          code: 'custom',
          path: ['holdings', index, 'bank'],
          message: `unknown bank id "${holding.bank}"`,
        });
      if (!assets.has(holding.asset))
        ctx.addIssue({
          code: 'custom',
          path: ['holdings', index, 'asset'],
          message: `unknown asset id "${holding.asset}"`,
        });
    });
    doc.inverseDemand.crossImpact.forEach((entry, index) => {
      for (const key of ['from', 'to'] as const) {
        if (!assets.has(entry[key]))
          ctx.addIssue({
            code: 'custom',
            path: ['inverseDemand', 'crossImpact', index, key],
            message: `unknown asset id "${entry[key]}"`,
          });
      }
      if (entry.from === entry.to)
        ctx.addIssue({
          code: 'custom',
          path: ['inverseDemand', 'crossImpact', index],
          message: 'own impact belongs in assets[].impact',
        });
    });
    for (const key of ['liabilities', 'otherAssetLosses'] as const) {
      for (const id of Object.keys(doc.scenario?.[key] ?? {})) {
        if (!banks.has(id))
          ctx.addIssue({ code: 'custom', path: ['scenario', key, id], message: `unknown bank id "${id}"` });
      }
    }
    doc.interbank?.forEach((entry, index) => {
      for (const key of ['debtor', 'creditor'] as const) {
        if (!banks.has(entry[key]))
          ctx.addIssue({ code: 'custom', path: ['interbank', index, key], message: `unknown bank id "${entry[key]}"` });
      }
      if (entry.debtor === entry.creditor)
        ctx.addIssue({ code: 'custom', path: ['interbank', index], message: 'a bank cannot owe itself' });
    });
  });

export type FireSaleDocument = z.output<typeof fireSaleDocumentSchema>;
export type FireSaleDocumentInput = z.input<typeof fireSaleDocumentSchema>;
