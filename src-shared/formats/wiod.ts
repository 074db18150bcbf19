/**
 * The choices of the WIOD → cross-holdings economy construction (optimal-intervention paper §4.1; importer in
 * src-main/io/wiod.ts), validated wherever they cross a boundary (import dialog, `cwb import`).
 */
import { z } from 'zod';

export const wiodOptionsSchema = z
  .object({
    /** θ = max(0, v − k·VA) with v the market values without failures (paper: k = 1). */
    thresholdValueAddedFactor: z.number().finite().min(0).max(10).default(1),
    /** β = k·VA (paper: k = 0.1). */
    failureCostFactor: z.number().finite().min(0).max(10).default(0.1),
    /** Sector categories left out (paper: T, households as employers, near-zero value added). */
    excludeCategories: z.array(z.string().min(1).max(20)).max(100).default(['T']),
    /** Sectors with value added at or below this (millions of US$) are left out: their columns cannot be scaled. */
    minValueAdded: z.number().finite().min(0).default(0),
    /** Cross-holding shares below this are not stored (they are counted in the import report). */
    minShare: z.number().finite().min(0).max(0.1).default(1e-6),
  })
  .strict();

export type WiodOptionsInput = z.input<typeof wiodOptionsSchema>;
export type WiodOptions = z.output<typeof wiodOptionsSchema>;
