/** `cwb import` flags for the choices of the WIOD → cross-holdings construction (src-shared/formats/wiod.ts). */
import type { WiodOptionsInput } from '../../../src-shared/formats/wiod';
import type { FlagSpec } from '../command';
import { numberFlag } from './common';

export const WIOD_FLAGS: FlagSpec[] = [
  { name: 'wiod-threshold-factor', value: 'K', description: 'WIOT: θ = max(0, v − K·VA) (default 1, as in the paper)' },
  { name: 'wiod-failure-cost-factor', value: 'K', description: 'WIOT: β = K·VA (default 0.1)' },
  { name: 'wiod-exclude', value: 'CODES', description: 'WIOT: comma-separated sector codes left out (default T; "none" keeps all)' },
  { name: 'wiod-min-value-added', value: 'X', description: 'WIOT: leave out sectors with value added ≤ X (default 0)' },
  { name: 'wiod-min-share', value: 'S', description: 'WIOT: cross-holding shares below S are not stored (default 1e-6)' },
];

/** The WIOD options given on the command line, or nothing when none was given. */
export function wiodFromFlags(flags: Record<string, string | true>): { wiod?: WiodOptionsInput } {
  if (!WIOD_FLAGS.some((flag) => flags[flag.name] !== undefined)) return {};
  const wiod: WiodOptionsInput = {};
  if (flags['wiod-threshold-factor'] !== undefined) wiod.thresholdValueAddedFactor = numberFlag(flags, 'wiod-threshold-factor', 1, 0, 10);
  if (flags['wiod-failure-cost-factor'] !== undefined) wiod.failureCostFactor = numberFlag(flags, 'wiod-failure-cost-factor', 0.1, 0, 10);
  if (flags['wiod-min-value-added'] !== undefined) wiod.minValueAdded = numberFlag(flags, 'wiod-min-value-added', 0, 0, Number.MAX_VALUE);
  if (flags['wiod-min-share'] !== undefined) wiod.minShare = numberFlag(flags, 'wiod-min-share', 1e-6, 0, 0.1);
  const exclude = flags['wiod-exclude'];
  if (typeof exclude === 'string') wiod.excludeCategories = exclude === 'none' ? [] : exclude.split(',').map((code) => code.trim()).filter(Boolean);
  return { wiod };
}
