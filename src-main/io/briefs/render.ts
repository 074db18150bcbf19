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
