/**
 * The reproduction of the dual-network paper (run kind idf-reproduce): the generic section of its saved results,
 * with the reason beside Table 3's arctangent correlation why the published 0.9992 is out of reach on these data.
 */
import { ARCTANGENT_CORRELATION, isArctangentCorrelation, type ReproductionReport } from '../../../../src-shared/results/fire-sales';
import { genericSection } from './generic';
import type { SectionProvider } from './provider';

export const dualNetworkReproductionSection: SectionProvider = {
  kind: 'idf-reproduce',
  async describe(context) {
    const content = await genericSection.describe(context);
    const rows = (context.run.results as Partial<ReproductionReport> | null)?.rows ?? [];
    const arctangent = rows.find(isArctangentCorrelation);
    if (!arctangent) return content;
    const sentence = `Table 3, arctangent: measured ${arctangent.measured === null ? '—' : arctangent.measured.toFixed(4)}, published ${ARCTANGENT_CORRELATION.published}; the paper's network can reach about ${ARCTANGENT_CORRELATION.bound} at most on these data. ${ARCTANGENT_CORRELATION.note}`;
    const tables = content.tables.map((table) =>
      table.rows.some((row) => row.includes('arctangent') && row.includes('3')) ? { ...table, note: [table.note, sentence].filter(Boolean).join(' ') } : table,
    );
    return { ...content, tables, method: [...content.method, sentence] };
  },
};
