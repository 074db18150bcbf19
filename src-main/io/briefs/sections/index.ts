/**
 * The section providers by run kind. A new run kind adds `sections/<kind>.ts` exporting a SectionProvider and
 * one entry below (docs/engines/briefs.md); kinds without an entry get the generic provider.
 */
import { capitalSection } from './capital';
import { disaggregationSection } from './disaggregation';
import { dualNetworkReproductionSection } from './dual-network';
import { fireSaleEquilibriumSection } from './fire-sale-equilibrium';
import { fireSaleModelSection } from './fire-sale-model';
import { genericSection } from './generic';
import { graphTransformerSection } from './graph-transformer';
import { interventionSection } from './intervention';
import { policySection } from './policy';
import { reconstructionSection } from './reconstruction';
import type { SectionProvider } from './provider';
import { stressSection } from './stress';

const providers: SectionProvider[] = [
  disaggregationSection,
  stressSection,
  capitalSection,
  dualNetworkReproductionSection,
  policySection,
  interventionSection,
  reconstructionSection,
  fireSaleModelSection,
  fireSaleEquilibriumSection,
  graphTransformerSection,
];

const byKind = new Map(providers.map((provider) => [provider.kind, provider]));

export function sectionProvider(kind: string): SectionProvider {
  return byKind.get(kind) ?? genericSection;
}

export type { SectionProvider, SectionContent, SectionProgress } from './provider';
