/** Reading policy-lab configurations (`contagion-workbench/policy@1`) and the bundled worked examples. */
import { readFileSync } from 'node:fs';
import { POLICY_EXAMPLE_NAMES, policyDocumentSchema, type PolicyDocument } from '../../src-shared/formats/policy';
import { parseJsonDocument } from './network-json';
import { resourcesDir } from './resources';

export const parsePolicyJson = (text: string | Uint8Array, fileName = 'policy configuration'): PolicyDocument =>
  parseJsonDocument(policyDocumentSchema, text, fileName);

/** The worked examples in resources/samples/, from the paper's setting (docs/engines/policy-lab.md). */
export const POLICY_EXAMPLES = POLICY_EXAMPLE_NAMES;
export type PolicyExample = (typeof POLICY_EXAMPLES)[number];

export function readPolicyExample(name: PolicyExample = POLICY_EXAMPLES[0]): { fileName: string; text: string } {
  return { fileName: name, text: readFileSync(`${resourcesDir}samples/${name}`, 'utf8') };
}
