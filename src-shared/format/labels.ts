/**
 * Words for what the code calls by identifiers: field labels ("outside assets", not "outsideAssets"), run kinds
 * ("stress test", not "stress"/"gt-train"), the EBA 2011 item codes, and validation messages in the user's words and
 * units ("Max shock must be between 0 and 100 %", not "shockModel.maxFraction: Too big: expected number to be <=1").
 */
import type { RunKind } from '../run-kinds';

interface FieldWords {
  label: string;
  /** Entered and shown as percent, stored as a fraction 0–1. */
  percent?: boolean;
}

/** Labels of the fields a user can type or import, by the field's key (the last part of its path). */
export const FIELD_WORDS: Record<string, FieldWords> = {
  id: { label: 'Id' },
  name: { label: 'Name' },
  title: { label: 'Title' },
  note: { label: 'Note' },
  group: { label: 'Group' },
  type: { label: 'Type' },
  outsideAssets: { label: 'Outside assets' },
  outsideLiabilities: { label: 'Outside liabilities' },
  totalAssets: { label: 'Total assets' },
  totalLiabilities: { label: 'Total liabilities' },
  insideAssets: { label: 'Interbank assets' },
  insideLiabilities: { label: 'Interbank liabilities' },
  equity: { label: 'Equity' },
  defaultProbability: { label: 'Default probability', percent: true },
  debtor: { label: 'Debtor' },
  creditor: { label: 'Creditor' },
  amount: { label: 'Amount' },
  threshold: { label: 'Failure threshold θ' },
  failureCost: { label: 'Failure cost β' },
  price: { label: 'Price' },
  share: { label: 'Share', percent: true },
  holder: { label: 'Holder' },
  issuer: { label: 'Issuer' },
  firm: { label: 'Firm' },
  asset: { label: 'Asset' },
  samples: { label: 'Samples' },
  scenarios: { label: 'Scenarios' },
  seed: { label: 'Seed' },
  starts: { label: 'Starts' },
  maxFraction: { label: 'Max shock', percent: true },
  fraction: { label: 'Shock', percent: true },
  shockFraction: { label: 'Shock', percent: true },
  budget: { label: 'Budget' },
  budgetFraction: { label: 'Budget', percent: true },
  tiers: { label: 'Tiers' },
  epochs: { label: 'Epochs' },
  hidden: { label: 'Hidden units' },
  layers: { label: 'Layers' },
  heads: { label: 'Attention heads' },
  learningRate: { label: 'Learning rate' },
  batchInvestors: { label: 'Investors per mini-batch' },
  alpha: { label: 'Confidence level', percent: true },
  confidence: { label: 'Confidence level', percent: true },
  rho: { label: 'Correlation ρ' },
  sigma: { label: 'Volatility σ' },
  drift: { label: 'Drift μ' },
  uncertainty: { label: 'Threshold uncertainty U' },
  nodeId: { label: 'Node' },
  parts: { label: 'Parts' },
  versionId: { label: 'Network version' },
  runIds: { label: 'Runs' },
  runId: { label: 'Run' },
  datasetId: { label: 'Dataset' },
  date: { label: 'Date' },
  format: { label: 'Format' },
  document: { label: 'Document' },
  forecastCsv: { label: 'Forecast table' },
};

/** The items of a list, as a user counts them ("bank 3" for nodes.2). */
const ITEM_WORDS: Record<string, string> = {
  nodes: 'bank',
  liabilities: 'liability',
  firms: 'firm',
  assets: 'asset',
  assetHoldings: 'asset holding',
  crossHoldings: 'cross-holding',
  parts: 'part',
  intermediaries: 'intermediary',
};

/** "outsideAssets" → "Outside assets": a label for a key without one. */
export function humaniseKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const fieldLabel = (key: string): string => FIELD_WORDS[key]?.label ?? humaniseKey(key);

/**
 * How a graph transformer was (or will be) trained, for the screens and briefs: "Mini-batches: 5,000 investors"
 * (each step on that many investors' subgraph) or "Whole graph" (no batch size set).
 */
export const gtBatchingWords = (batchInvestors: number | undefined): string =>
  batchInvestors === undefined ? 'Whole graph' : `Mini-batches: ${batchInvestors.toLocaleString('en-US')} investors`;

/** Run kinds (job kinds and the policy lab) in words: no picker or message shows "gt-train" or "idf-train". */
export const RUN_KIND_WORDS: Record<string, string> = {
  stress: 'stress test',
  'idf-train': 'dual-network training',
  'idf-reproduce': 'dual-network reproduction',
  reconstruct: 'network reconstruction',
  'gt-train': 'graph-transformer training',
  capital: 'capital allocation',
  intervention: 'intervention study',
  policy: 'policy lab',
  firesale: 'fire-sale equilibrium',
  disaggregate: 'node disaggregation',
} satisfies Record<RunKind, string>;
export const runKindWords = (kind: string): string => RUN_KIND_WORDS[kind] ?? humaniseKey(kind).toLowerCase();

/** A saved run as pickers show it: "#12 stress test — Q3 baseline (2026-12-02 14:05)". */
export function runLabel(run: {
  id: number;
  kind: string;
  name?: string | null;
  method?: string;
  startedAt?: string;
}): string {
  const what = run.name || (run.method ? shorten(run.method, 70) : runKindWords(run.kind));
  const when = run.startedAt ? ` (${run.startedAt.slice(0, 16).replace('T', ' ')})` : '';
  return `#${run.id} ${runKindWords(run.kind)} — ${what}${when}`;
}

/** A version as pickers show it: "EBA 2011 v2 — maximum-entropy reconstruction of v1 … (87 banks)". */
export function versionLabel(
  network: { name: string },
  version: { version: number; note?: string; nodeCount?: number },
  noun = 'banks',
): string {
  const note = version.note ? ` — ${shorten(version.note, 60)}` : '';
  const size = version.nodeCount !== undefined ? ` (${version.nodeCount.toLocaleString('en-US')} ${noun})` : '';
  return `${network.name} v${version.version}${note}${size}`;
}

const shorten = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** EBA 2011 stress-test disclosure item codes and what each one is (the importer reads these three). */
export const EBA_ITEM_CODES: Record<string, string> = {
  '30029': 'total assets',
  '30021': 'equity (Core Tier 1 capital)',
  '33010': 'interbank exposure at default (country "TO" = all counterparties)',
  '34010': 'gross direct sovereign exposure',
};

/**
 * EBA item codes read as codes, not amounts: "total assets 30029" → "total assets (EBA item 30029)", a bare
 * "30021" → "EBA item 30021 (equity (Core Tier 1 capital))"; other text unchanged.
 */
export const explainEbaCodes = (text: string): string =>
  text.replace(
    /(\()?\b(30029|30021|33010|34010)\b/g,
    (_match, paren: string | undefined, code: string, offset: number) => {
      const meaning = EBA_ITEM_CODES[code]!;
      const before = text.slice(Math.max(0, offset - 30), offset).toLowerCase();
      const named = before.includes(meaning.split(' ')[0]!);
      if (paren) return named ? `(EBA item ${code}` : `(EBA item ${code}: ${meaning}`;
      return named ? `(EBA item ${code})` : `EBA item ${code} (${meaning})`;
    },
  );

interface IssueLike {
  code?: string;
  path: ReadonlyArray<PropertyKey>;
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  expected?: string;
  input?: unknown;
}

/** Where an issue is, in words: "Bank 3, outside assets" for nodes.2.outsideAssets; "" for the whole input. */
export function pathInWords(path: ReadonlyArray<PropertyKey>): string {
  const parts: string[] = [];
  path.forEach((key, index) => {
    if (typeof key === 'number') {
      const list = path[index - 1];
      const item = typeof list === 'string' ? ITEM_WORDS[list] : undefined;
      if (item) parts[parts.length - 1] = `${item} ${key + 1}`;
      else parts.push(`item ${key + 1}`);
    } else if (
      typeof key === 'string' &&
      !['params', 'input', 'shockModel', 'training', 'options', 'config'].includes(key)
    ) {
      parts.push(fieldLabel(key).toLowerCase());
    }
  });
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const asPercent = (value: number) => `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 4 })} %`;

/** zod's expected types in words ("expected int" is a whole number). */
const TYPE_WORDS: Record<string, string> = { number: 'a number', int: 'a whole number', string: 'text' };

/** The rule an issue breaks, in words and the field's unit (percent fields in percent). */
function ruleInWords(issue: IssueLike, percent: boolean): string {
  // A message written for users ("must be ≥ 0", "unknown firm …") is kept; zod's own defaults are reworded.
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  const show = (bound: number | bigint) => (percent ? asPercent(Number(bound)) : Number(bound).toLocaleString('en-US'));
  if (issue.code === 'too_big' && issue.origin === 'number') {
    if (percent && Number(issue.maximum) === 1) return 'must be between 0 and 100 %';
    return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${show(issue.maximum ?? 0)}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') {
    if (percent && Number(issue.minimum) === 0) return 'must be between 0 and 100 %';
    return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${show(issue.minimum ?? 0)}`;
  }
  if (issue.code === 'too_small')
    return Number(issue.minimum) <= 1 ? 'must not be empty' : `needs at least ${Number(issue.minimum)} entries`;
  if (issue.code === 'too_big') return `allows at most ${Number(issue.maximum).toLocaleString('en-US')} entries`;
  if (issue.code === 'invalid_type')
    // zod reports no input unless asked: "received undefined" in its message says the field is absent.
    return issue.input === undefined && !/received (?!undefined)/.test(issue.message)
      ? 'is missing'
      : `must be ${TYPE_WORDS[issue.expected ?? ''] ?? `a ${issue.expected ?? 'value'}`}`;
  if (issue.code === 'invalid_value') return 'is not one of the allowed choices';
  if (issue.code === 'unrecognized_keys') return 'has a field this version does not know';
  return 'is not valid';
}

/** The start of zod's own messages ("Too big: expected number to be <=1", "Invalid input: …"). */
const ZOD_DEFAULT = /^(Too (big|small)|Invalid|Unrecognized key)/;

/** One issue in the user's words: "Max shock must be between 0 and 100 %", "Bank 3, outside assets must be ≥ 0". */
export function issueInWords(issue: IssueLike): string {
  const last = [...issue.path].reverse().find((key): key is string => typeof key === 'string');
  const percent = last !== undefined && FIELD_WORDS[last]?.percent === true;
  const where = pathInWords(issue.path);
  const rule = ruleInWords(issue, percent);
  if (!where) return rule.charAt(0).toUpperCase() + rule.slice(1);
  return `${where} ${rule}`;
}

/** Up to five issues in words, joined; "… and 3 more". */
export function issuesInWords(issues: ReadonlyArray<IssueLike>): string {
  const lines = issues.slice(0, 5).map(issueInWords);
  if (issues.length > 5) lines.push(`… and ${issues.length - 5} more`);
  return lines.join('; ');
}
