/** `cwb import` flags for the choices of the WIOD → cross-holdings construction (src-shared/formats/wiod.ts). */
import { wiodOptionsSchema, type WiodOptionsInput } from '../../../src-shared/formats/wiod';
import type { FlagSpec } from '../command';
import { optionalFlag, schemaFlag } from '../schema-flags';

const WIOD = wiodOptionsSchema.shape;
const THRESHOLD_FLAG = schemaFlag(
  'wiod-threshold-factor',
  'K',
  WIOD.thresholdValueAddedFactor,
  'WIOT: θ = max(0, v − K·VA) (1 in the paper)',
);
const FAILURE_COST_FLAG = schemaFlag(
  'wiod-failure-cost-factor',
  'K',
  WIOD.failureCostFactor,
  'WIOT: β = K·VA (0.1 in the paper)',
);
const MIN_VALUE_ADDED_FLAG = schemaFlag(
  'wiod-min-value-added',
  'X',
  WIOD.minValueAdded,
  'WIOT: leave out sectors with value added ≤ X (millions of US$)',
);
const MIN_SHARE_FLAG = schemaFlag(
  'wiod-min-share',
  'S',
  WIOD.minShare,
  'WIOT: cross-holding shares below S are not stored',
);

export const WIOD_FLAGS: FlagSpec[] = [
  THRESHOLD_FLAG,
  FAILURE_COST_FLAG,
  {
    name: 'wiod-exclude',
    value: 'CODES',
    description: 'WIOT: comma-separated sector codes left out (default T; "none" keeps all)',
  },
  MIN_VALUE_ADDED_FLAG,
  MIN_SHARE_FLAG,
];

/** The WIOD options given on the command line, or nothing when none was given. */
export function wiodFromFlags(flags: Record<string, string | true>): { wiod?: WiodOptionsInput } {
  if (!WIOD_FLAGS.some((flag) => flags[flag.name] !== undefined)) return {};
  const wiod: WiodOptionsInput = {};
  wiod.thresholdValueAddedFactor = optionalFlag(flags, THRESHOLD_FLAG);
  wiod.failureCostFactor = optionalFlag(flags, FAILURE_COST_FLAG);
  wiod.minValueAdded = optionalFlag(flags, MIN_VALUE_ADDED_FLAG);
  wiod.minShare = optionalFlag(flags, MIN_SHARE_FLAG);
  const exclude = flags['wiod-exclude'];
  if (typeof exclude === 'string')
    wiod.excludeCategories =
      exclude === 'none'
        ? []
        : exclude
            .split(',')
            .map((code) => code.trim())
            .filter(Boolean);
  return { wiod };
}
