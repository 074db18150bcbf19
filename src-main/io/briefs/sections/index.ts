/**
 * The section providers by run kind. A new run kind adds `sections/<kind>.ts` exporting a SectionProvider and
 * one entry below (docs/engines/briefs.md); kinds without an entry get the generic provider.
 */
import { capitalSection } from './capital';
import { dualNetworkReproductionSection } from './dual-network';
import { genericSection } from './generic';
import { policySection } from './policy';
import type { SectionProvider } from './provider';
import { stressSection } from './stress';

const providers: SectionProvider[] = [stressSection, capitalSection, dualNetworkReproductionSection, policySection];

const byKind = new Map(providers.map((provider) => [provider.kind, provider]));

export function sectionProvider(kind: string): SectionProvider {
  return byKind.get(kind) ?? genericSection;
}

export type { SectionProvider, SectionContent } from './provider';
