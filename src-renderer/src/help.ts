/**
 * The in-app help: each screen's method in a few sentences with the paper it implements (docs/references.md),
 * and a glossary of the symbols the screens show. `openHelp(term)` opens the panel at a glossary entry (from a
 * HelpLink beside a symbol); the panel itself is in App.vue.
 */
import { ref } from 'vue';

export interface ScreenHelp {
  title: string;
  method: string;
  reference: string;
}

export const SCREEN_HELP: Record<string, ScreenHelp> = {
  data: {
    title: 'Data',
    method:
      'Imports network files (network@1 JSON, CSV or XLSX tables, GraphML, EBA 2011 disclosure, WIOD tables, holdings) into the encrypted local store. Every import keeps its source file’s SHA-256 and a report of what was kept and left out. A network changes only by new versions; "Max-entropy network" reconstructs bilateral exposures from balance-sheet totals by RAS (iterative proportional fitting). Runs, versions and datasets can be renamed and deleted; a deletion that a saved run still needs is refused and names the run.',
    reference:
      'The EBA 2011 system as in Glasserman & Young (2015) and Feinstein et al. (2018); the maximum-entropy network as in Ruela (2019, §2).',
  },
  network: {
    title: 'Network',
    method:
      'Draws and edits an interbank network: banks as nodes sized by total assets, liabilities as arrows from debtor to creditor. Edits are saved as a new version; earlier versions never change.',
    reference: 'Eisenberg & Noe (2001); notation of Glasserman & Young (2015).',
  },
  reconstruction: {
    title: 'Reconstruction',
    method:
      'Finds the interbank networks consistent with the known totals that give the largest (worst case) and smallest (best case) expected loss E[L] over sampled shocks, by a penalised Frank–Wolfe search with several starts; and splits an aggregated node into parts. Progress shows the stage, the start in progress and the objective.',
    reference: 'Ruela (2019), Network Contagion: Documentation, §2 (best and worst case) and §3 (disaggregation).',
  },
  stress: {
    title: 'Stress test',
    method:
      'Draws shocks to outside assets, clears the network for each (Eisenberg–Noe, greatest clearing vector) and reports the expected loss with and without contagion, the loss distribution, default probabilities and the Glasserman–Young bound on how much the network can amplify losses.',
    reference: 'Eisenberg & Noe (2001); Glasserman & Young (2015), How likely is contagion in financial networks?',
  },
  firesales: {
    title: 'Fire sales',
    method:
      'Banks that must deleverage sell assets; prices fall along an inverse demand function, which forces further sales. The equilibrium prices and liquidations are computed; the dual network (Liquidation Net and Price Net) learns the inverse demand from observed equilibria.',
    reference:
      'Cao, Chen, Mishra, Amini & Feinstein (2023), Modeling inverse demand function with explainable dual neural networks, §3–5.',
  },
  intervention: {
    title: 'Intervention',
    method:
      'In an Elliott–Golub–Jackson economy firms hold shares of each other; a firm whose value falls below its threshold θ fails and loses β, which propagates to its holders. The screen chooses whom to support within a budget (DiscountFrac or greedy influence maximisation), and studies the cascade over correlated shocks: budget curves, TVaR of the share of firms failing, and rare-event tail sampling. For interbank networks it chooses bailouts under Eisenberg–Noe clearing.',
    reference:
      'Klages-Mundt & Minca (2022), Optimal intervention in economic networks using influence maximization methods, §2–4; Elliott, Golub & Jackson (2014).',
  },
  models: {
    title: 'Models',
    method:
      'Trains the holdings graph transformer on investor × asset holdings over report dates and shows its validation figures and node embeddings.',
    reference: 'Clayton & Coppola (2025), Financial regulation and AI: a Faustian bargain?, §3–4.',
  },
  capital: {
    title: 'Capital',
    method:
      'Samples capital allocations to the banks of a network and classifies them as acceptable (the systemic risk measure stays within its limit) or not; a classifier learns the boundary so that efficient acceptable allocations can be found. Tiers group banks by total assets.',
    reference:
      'Garisch & Feinstein (2020), machine learning for efficient and acceptable capital allocations; Feinstein, Rudloff & Weber (2017).',
  },
  policy: {
    title: 'Policy lab',
    method:
      'The regulator’s choice between no model, a predictive model and a causal model of liquidations: optimal liquidation wedges τ*, the regulatory cost Δ(τ*), expected welfare and the value of each model, with Monte Carlo standard errors.',
    reference: 'Clayton & Coppola (2025), §2 (equation 8, Proposition 2).',
  },
  briefs: {
    title: 'Briefs',
    method:
      'Composes a brief (PDF, DOCX, or an XLSX/CSV annex) from saved runs: key figures with their uncertainty, tables, charts and provenance, optionally the audit trail.',
    reference: 'Each section cites the paper of its run’s method.',
  },
  about: {
    title: 'About',
    method: 'Version, store, transport and the papers the engines implement.',
    reference: 'docs/references.md in the repository lists every reference.',
  },
};

export interface GlossaryEntry {
  id: string;
  symbol: string;
  meaning: string;
}

export const GLOSSARY: GlossaryEntry[] = [
  {
    id: 'el',
    symbol: 'E[L]',
    meaning:
      'Expected total loss with contagion: the shock to outside assets plus the shortfalls of defaulting banks, averaged over the scenarios (EUR million).',
  },
  {
    id: 'el0',
    symbol: 'E[L⁰]',
    meaning: 'Expected loss without contagion: the shocks alone, Σ xᵢ, as if banks had no interbank links.',
  },
  { id: 'ratio', symbol: 'E[L]/E[L⁰]', meaning: 'How much the network amplifies losses; 1 means no contagion.' },
  {
    id: 'beta',
    symbol: 'β⁺',
    meaning:
      'Financial connectivity: the largest share of a bank’s liabilities owed to other banks in the network, βᵢ = (p̄ᵢ − bᵢ)/p̄ᵢ. Close to 1 means a bank owes almost everything inside the network.',
  },
  {
    id: 'nvi',
    symbol: 'NVI',
    meaning:
      'Network vulnerability index of Glasserman & Young (2015): NVI = Σ δᵢ cᵢ / ((1 − β⁺) Σ cᵢ), δᵢ the probability that bank i’s shock exceeds its net worth, cᵢ its outside assets. "NVI (β⁺)" shows the index with β⁺ beside it.',
  },
  {
    id: 'gy',
    symbol: 'Glasserman–Young bound',
    meaning:
      '1 + NVI: an upper bound on E[L]/E[L⁰] for shocks independent across banks. A ratio above the bound means the shocks are correlated or large.',
  },
  {
    id: 'depth',
    symbol: 'Depth uᵢ',
    meaning:
      'For a bank in default, how far its shortfall travels: u_D = (I − A_D)⁻¹ 1 over the default set D (Glasserman & Young 2015), so uᵢ ≥ 1; 1 means the loss stops at the bank, larger values that other defaulted banks pass it on. 0 for banks not in default.',
  },
  {
    id: 'var',
    symbol: 'VaR_q',
    meaning: 'Value at risk: the loss exceeded with probability 1 − q (the q-quantile of the loss).',
  },
  {
    id: 'tvar',
    symbol: 'TVaR_q (ES)',
    meaning:
      'Tail value at risk or expected shortfall: the mean of the losses (or cascade sizes) at or above VaR_q. On the Intervention screen N is the share of firms failing; q = 0 is the mean.',
  },
  {
    id: 'theta',
    symbol: 'θ, β (firms)',
    meaning:
      'In a cross-holdings economy, a firm fails when its value falls below its threshold θ and then loses its failure cost β.',
  },
  {
    id: 'sdp',
    symbol: 'Σ Dp',
    meaning:
      'The total value of the economy’s outside assets (asset holdings D times prices p); intervention budgets are a percent of it.',
  },
  {
    id: 'delta-shock',
    symbol: 'Δ (tail sampling)',
    meaning:
      'Size of the aggregate shock of the worst case found greedily, from which importance sampling draws rare cascades.',
  },
  {
    id: 'tau',
    symbol: 'τ*',
    meaning:
      'The regulator’s optimal liquidation wedges (taxes or subsidies per intermediary and asset), τ* = E[Ξ | s]⁻¹ E[b | s] (Clayton & Coppola 2025, eq. 8).',
  },
  { id: 'delta', symbol: 'Δ(τ*)', meaning: 'The regulatory cost of the wedges, ½ τ*ᵀ Δ τ*.' },
  {
    id: 'se',
    symbol: '± s.e.',
    meaning:
      'Monte Carlo standard error: the spread of the estimate over repeated runs with other seeds; about 95 % of runs fall within ± 2 s.e.',
  },
  {
    id: 'eba',
    symbol: 'EBA item codes',
    meaning:
      '30029 total assets, 30021 equity (Core Tier 1), 33010 interbank exposure at default with country "TO" (all counterparties), 34010 gross direct sovereign exposure — EBA 2011 EU-wide stress test disclosure.',
  },
];

/** Whether the help panel is open, and the glossary entry to show first. */
export const help = ref<{ open: boolean; term?: string }>({ open: false });

export function openHelp(term?: string): void {
  help.value = { open: true, term };
}
