/** The policy lab behind `policy:example`: a worked configuration. Solving one is the `policy` job (src-main/jobs/policy-tasks.ts). */
import { readPolicyExample, type PolicyExample } from '../io/policy-json';

export function policyExample(name?: PolicyExample): { fileName: string; document: unknown } {
  const { fileName, text } = readPolicyExample(name);
  return { fileName, document: JSON.parse(text) as unknown };
}
