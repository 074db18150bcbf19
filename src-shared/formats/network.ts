/**
 * The interbank network interchange format `contagion-workbench/network@1` (spec/formats.md).
 *
 * A liability entry says the debtor owes the creditor `amount` (p̄_ij, i = debtor, j = creditor).
 * Node fields other than `outsideAssets` (c_i) and `outsideLiabilities` (b_i) are the partial balance-sheet
 * information that reconstruction starts from; any may be absent or null.
 */
import { z } from 'zod';

export const NETWORK_FORMAT = 'contagion-workbench/network@1';

const amount = z.number().finite().nonnegative();
const optionalAmount = amount.nullable().optional();

export const networkNodeSchema = z.object({
  id: z.string().min(1, 'must not be empty'),
  name: z.string().optional(),
  type: z.string().optional(),
  group: z.string().optional(),
  outsideAssets: optionalAmount,
  outsideLiabilities: optionalAmount,
  totalAssets: optionalAmount,
  totalLiabilities: optionalAmount,
  equity: z.number().finite().nullable().optional(),
  insideAssets: optionalAmount,
  insideLiabilities: optionalAmount,
  defaultProbability: z.number().min(0).max(1).nullable().optional(),
});

export const liabilitySchema = z.object({
  debtor: z.string().min(1),
  creditor: z.string().min(1),
  amount,
});

export const networkDocumentSchema = z
  .object({
    format: z.literal(NETWORK_FORMAT),
    name: z.string().min(1, 'must not be empty'),
    currency: z.string().optional(),
    unit: z.string().optional(),
    nodes: z.array(networkNodeSchema),
    liabilities: z.array(liabilitySchema),
  })
  .superRefine((doc, ctx) => {
    const ids = new Set<string>();
    doc.nodes.forEach((node, index) => {
      if (ids.has(node.id)) {
        ctx.addIssue({ code: 'custom', path: ['nodes', index, 'id'], message: `duplicate node id "${node.id}"` });
      }
      ids.add(node.id);
    });
    const pairs = new Set<string>();
    doc.liabilities.forEach((entry, index) => {
      const at = ['liabilities', index];
      if (!ids.has(entry.debtor)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'debtor'], message: `unknown node id "${entry.debtor}"` });
      }
      if (!ids.has(entry.creditor)) {
        ctx.addIssue({ code: 'custom', path: [...at, 'creditor'], message: `unknown node id "${entry.creditor}"` });
      }
      if (entry.debtor === entry.creditor) {
        ctx.addIssue({ code: 'custom', path: at, message: `self-loop on "${entry.debtor}" is not allowed` });
      }
      const key = `${entry.debtor}\u0000${entry.creditor}`;
      if (pairs.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `second entry for debtor "${entry.debtor}" → creditor "${entry.creditor}" (at most one per ordered pair)`,
        });
      }
      pairs.add(key);
    });
  });

export type NetworkNode = z.infer<typeof networkNodeSchema>;
export type Liability = z.infer<typeof liabilitySchema>;
export type NetworkDocument = z.infer<typeof networkDocumentSchema>;
