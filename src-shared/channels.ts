/**
 * The API's channel names, '<domain>:<verb>', with no dependencies so the sandboxed preload can bundle them.
 * `contract.ts` defines one schema per name (checked by the type system).
 */
export const channels = [
  'app:info',
  'datasets:list',
  'datasets:get',
  'datasets:preview',
  'datasets:import',
  'datasets:importTables',
  'datasets:importHoldings',
  'datasets:delete',
  'datasets:rename',
  'samples:add',
  'tables:export',
  'networks:list',
  'networks:create',
  'networks:get',
  'networks:saveVersion',
  'networks:export',
  'networks:maxEntropy',
  'networks:rename',
  'versions:delete',
  'networks:clearScenario',
  'files:readText',
  'networks:readScenarios',
  'economies:get',
  'economies:saveVersion',
  'holdings:graph',
  'jobs:start',
  'jobs:cancel',
  'jobs:list',
  'runs:list',
  'runs:get',
  'runs:rename',
  'runs:dependents',
  'runs:delete',
  'firesales:example',
  'firesales:simulate',
  'reconstruction:saveVersion',
  'holdings:generate',
  'models:list',
  'models:get',
  'models:embeddings',
  'capital:tiers',
  'policy:example',
  'briefs:compose',
  'briefs:cancel',
  'briefs:export',
  'briefs:exportTo',
  'briefs:list',
  'briefs:download',
  'briefs:downloadTo',
  'briefs:settings',
  'briefs:saveSettings',
  'audit:list',
  'audit:verify',
] as const;

/** The push channel of job events (main → renderer). */
export const JOB_EVENT_CHANNEL = 'job:event';

export type Channel = (typeof channels)[number];

const known = new Set<string>(channels);
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && known.has(name);
}
