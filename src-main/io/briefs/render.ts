/** One entry point for the brief exports: compose once, render in the requested format. */
import type { BriefFormat, ComposedBrief } from '../../../src-shared/briefs';
import { briefToCsv, briefToXlsx } from './annex';
import { briefToDocx } from './docx';
import { briefToPdf } from './pdf';

export async function renderBrief(brief: ComposedBrief, format: BriefFormat): Promise<Uint8Array> {
  switch (format) {
    case 'pdf':
      return briefToPdf(brief);
    case 'docx':
      return briefToDocx(brief);
    case 'xlsx':
      return briefToXlsx(brief);
    case 'csv':
      return new TextEncoder().encode(briefToCsv(brief));
  }
}

export function briefFileName(title: string, runIds: number[], format: BriefFormat): string {
  const stem = title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'brief';
  return `${stem}-runs-${runIds.join('-')}${format === 'xlsx' || format === 'csv' ? '-annex' : ''}.${format}`;
}
