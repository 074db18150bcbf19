/**
 * The interbank network interchange format `contagion-workbench/network@1` (docs/formats.md).
 *
 * A liability entry says the debtor owes the creditor `amount` (p̄_ij, i = debtor, j = creditor).
 * Node fields other than `outsideAssets` (c_i) and `outsideLiabilities` (b_i) are the partial balance-sheet
 * information that reconstruction starts from; any may be absent or null.
 */
import { z } from 'zod';
import { exportMetadataSchema } from './export-marking';

export const NETWORK_FORMAT = 'contagion-workbench/network@1';

/**
 * Bounds every stored network keeps (docs/data-protection/imports.md): amounts within ±1e15 in the network's unit
 * (so that sums over 100,000 banks stay far from overflow and exact to about a unit in the 15th digit), ids and
 * texts of at most 256 characters, at most 100,000 banks.
 */
export const MAX_AMOUNT = 1e15;
export const MAX_TEXT_LENGTH = 256;
export const MAX_NODES = 100_000;

const amount = z
  .number()
  .finite('must be a finite number')
  .nonnegative('must be ≥ 0')
  .max(MAX_AMOUNT, `must be at most 1e15 (larger amounts could overflow sums)`);
const optionalAmount = amount.nullable().optional();
const id = z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`);
const text = z.string().max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`);

export const networkNodeSchema = z.object({
  id,
  name: text.optional(),
  type: text.optional(),
  group: text.optional(),
  outsideAssets: optionalAmount,
  outsideLiabilities: optionalAmount,
  totalAssets: optionalAmount,
  totalLiabilities: optionalAmount,
  equity: z
    .number()
    .finite('must be a finite number')
    .min(-MAX_AMOUNT, 'must be at least -1e15 (larger amounts could overflow sums)')
    .max(MAX_AMOUNT, 'must be at most 1e15 (larger amounts could overflow sums)')
    .nullable()
    .optional(),
  insideAssets: optionalAmount,
  insideLiabilities: optionalAmount,
  defaultProbability: z.number().min(0).max(1).nullable().optional(),
});

export const liabilitySchema = z.object({
  debtor: id,
  creditor: id,
  amount,
});

export const networkDocumentSchema = z
  .object({
    format: z.literal(NETWORK_FORMAT),
    /** The classification marking of an exported file (export-marking.ts); importers leave it out of the stored network. */
    metadata: exportMetadataSchema.optional(),
    name: z.string().min(1, 'must not be empty').max(MAX_TEXT_LENGTH, `longer than ${MAX_TEXT_LENGTH} characters`),
    currency: text.optional(),
    unit: text.optional(),
    nodes: z.array(networkNodeSchema).max(MAX_NODES, `more than ${MAX_NODES.toLocaleString('en-US')} banks`),
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

/**
 * The one check every stored network passes (imports in any format, the editor, RAS, reconstruction): the
 * network@1 schema and at least one bank. The editor's new, empty draft is the one exception (`allowEmpty`).
 */
export function storedNetworkIssues(
  document: unknown,
  options: { allowEmpty?: boolean } = {},
): Array<{ path: PropertyKey[]; message: string }> {
  const parsed = networkDocumentSchema.safeParse(document);
  if (!parsed.success) return parsed.error.issues.map((issue) => ({ path: [...issue.path], message: issue.message }));
  if (!options.allowEmpty && parsed.data.nodes.length === 0) return [{ path: [], message: 'the network has no banks' }];
  return [];
}
