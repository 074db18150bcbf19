/**
 * The brief as PDF (PDFKit): A4, the classification marking at the top and bottom of every page, vector charts
 * (SVG drawn by svg-to-pdfkit), tables that continue across pages with their header. Deterministic: the
 * creation date is the brief's as-of date and the document ID derives from it, so the same runs give the same
 * bytes.
 */
import type { BriefChart, BriefTable, ComposedBrief } from '../../../src-shared/briefs';
import { cellText, numberedBrief, provenanceTable, summaryBlocks } from '../../../src-shared/brief-format';
import { fontsDir } from './fonts';

const MARGIN = 56;
const BODY = 'Body';
const BOLD = 'Bold';
const INK = '#111827';
const MUTED = '#4b5563';
const MARK = '#b42318';
const RULE = '#d1d5db';

type SvgToPdf = typeof import('svg-to-pdfkit').default;
type NumberedBrief = ReturnType<typeof numberedBrief>;
/** A line of the contents: where it was written on the title page and the page its part begins on. */
interface ContentsEntry {
  title: string;
  y: number;
  page?: number;
}

/** Lays out headings, paragraphs, charts and tables on a PDFKit document, adding pages as they fill. */
class PdfLayout {
  readonly width: number;

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly svgToPdf: SvgToPdf,
  ) {
    this.width = doc.page.width - 2 * MARGIN;
  }

  bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  top(): number {
    return this.doc.page.margins.top;
  }

  ensure(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  /** A heading stays with the first `keepWith` points of what follows it (never the last thing on a page). */
  heading(text: string, size: number, keepWith = 60): void {
    const { doc, width } = this;
    doc.font(BOLD).fontSize(size);
    this.ensure(size * 0.6 + doc.heightOfString(text, { width }) + size * 0.3 + keepWith);
    doc.moveDown(0.6).font(BOLD).fontSize(size).fillColor(INK).text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  }

  pageIndex(): number {
    return this.doc.bufferedPageRange().start + this.doc.bufferedPageRange().count - 1;
  }

  paragraph(text: string, options: { size?: number; color?: string } = {}): void {
    this.doc
      .font(BODY)
      .fontSize(options.size ?? 9.5)
      .fillColor(options.color ?? INK)
      .text(text, MARGIN, this.doc.y, { width: this.width, lineGap: 1.5 })
      .moveDown(0.4);
  }

  drawChart(chart: BriefChart): void {
    const { doc, width } = this;
    let scale = Math.min(1, width / chart.width, 560 / chart.height);
    const room = this.bottom() - doc.y - 40;
    // Rather than leave a page less than a third full, draw the picture smaller in the room that is left.
    if (chart.height * scale > room && (doc.y - this.top()) / (this.bottom() - this.top()) < 1 / 3)
      scale = Math.min(scale, room / chart.height);
    const height = chart.height * scale;
    this.ensure(height + 40);
    doc.font(BOLD).fontSize(10).fillColor(INK).text(chart.title, MARGIN, doc.y, { width });
    const chartTop = doc.y + 4;
    // svg-to-pdfkit draws at the root's own width and height: give it the scaled size.
    const svg = chart.svg.replace(
      /^<svg([^>]*?)\swidth="[\d.]+"([^>]*?)\sheight="[\d.]+"/,
      `<svg$1 width="${chart.width * scale}"$2 height="${height}"`,
    );
    this.svgToPdf(doc, svg, MARGIN + (width - chart.width * scale) / 2, chartTop, {
      width: chart.width * scale,
      height,
      assumePt: true,
      fontCallback: (_family: string, bold: boolean) => (bold ? BOLD : BODY),
    });
    doc.y = chartTop + height + 8;
    this.paragraph(chart.caption, { size: 8, color: MUTED });
  }

  /** Column widths in proportion to each column's share, or else to its widest text, filling the page width. */
  private columnWidths(table: BriefTable, headers: string[], texts: string[][]): number[] {
    const { doc, width } = this;
    doc.fontSize(8);
    const natural = headers.map((h, j) =>
      table.columns[j]!.share !== undefined
        ? table.columns[j]!.share * width
        : Math.max(
            doc.font(BOLD).widthOfString(h) * 0.6,
            ...texts.map((r) => doc.font(BODY).widthOfString(r[j] ?? '')),
            24,
          ) + 8,
    );
    const total = natural.reduce((a, b) => a + b, 0);
    return natural.map((w) => (w * width) / total);
  }

  private rowHeight(cells: string[], font: string, widths: number[]): number {
    return (
      Math.max(
        ...cells.map((cell, j) =>
          this.doc
            .font(font)
            .fontSize(8)
            .heightOfString(cell, { width: widths[j]! - 6 }),
        ),
      ) + 5
    );
  }

  private drawRow(table: BriefTable, widths: number[], cells: string[], font: string, fill?: string): void {
    const { doc, width } = this;
    const height = this.rowHeight(cells, font, widths);
    if (fill) doc.rect(MARGIN, doc.y, width, height).fill(fill);
    let x = MARGIN;
    const y = doc.y;
    cells.forEach((cell, j) => {
      doc
        .font(font)
        .fontSize(8)
        .fillColor(INK)
        .text(cell, x + 3, y + 2.5, {
          width: widths[j]! - 6,
          align: table.columns[j]!.numeric && font === BODY ? 'right' : 'left',
        });
      x += widths[j]!;
    });
    doc.y = y + height;
    doc
      .moveTo(MARGIN, doc.y)
      .lineTo(MARGIN + width, doc.y)
      .lineWidth(0.4)
      .strokeColor(RULE)
      .stroke();
  }

  /** A table whose header row is repeated on each page it continues on. */
  drawTable(table: BriefTable): void {
    const { doc, width } = this;
    const headers = table.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));
    const texts = table.rows.map((row) => row.map((cell, j) => cellText(cell, table.columns[j]?.digits)));
    const widths = this.columnWidths(table, headers, texts);
    // the title stays with the header row and the first row
    this.ensure(
      doc.font(BOLD).fontSize(10).heightOfString(table.title, { width }) +
        6 +
        this.rowHeight(headers, BOLD, widths) +
        (texts[0] ? this.rowHeight(texts[0], BODY, widths) : 0),
    );
    doc.font(BOLD).fontSize(10).fillColor(INK).text(table.title, MARGIN, doc.y, { width }).moveDown(0.2);
    this.drawRow(table, widths, headers, BOLD, '#eef2f7');
    texts.forEach((cells, i) => {
      if (doc.y + this.rowHeight(cells, BODY, widths) > this.bottom()) {
        doc.addPage();
        this.drawRow(table, widths, headers, BOLD, '#eef2f7');
      }
      this.drawRow(table, widths, cells, BODY, i % 2 === 1 ? '#f9fafb' : undefined);
    });
    doc.moveDown(0.3);
    if (table.note) this.paragraph(table.note, { size: 8, color: MUTED });
    doc.moveDown(0.4);
  }
}

/** Title page: title, marking, room for the contents (more than one run), then the executive summary. */
function writeTitlePage(layout: PdfLayout, brief: ComposedBrief, numbered: NumberedBrief): ContentsEntry[] {
  const { doc, width } = layout;
  doc
    .font(BOLD)
    .fontSize(20)
    .fillColor(INK)
    .text(brief.title, MARGIN, MARGIN + 30, { width });
  if (brief.organisation) doc.moveDown(0.2).font(BODY).fontSize(12).fillColor(INK).text(brief.organisation, { width });
  doc.moveDown(0.3).font(BOLD).fontSize(11).fillColor(MARK).text(brief.marking, { width });
  layout.paragraph(
    `Composed from run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((id) => `#${id}`).join(', ')}; figures as of ${brief.asOf.slice(0, 19).replace('T', ' ')} UTC. Contagion Workbench ${brief.software.version}.`,
    { color: MUTED },
  );
  const contents: ContentsEntry[] = [];
  if (brief.sections.length > 1) {
    layout.heading('Contents', 14);
    for (const title of [
      'Executive summary',
      ...numbered.sections.map((s) => s.heading),
      'Appendix: method and provenance',
    ]) {
      contents.push({ title, y: doc.y });
      doc.y += 14;
    }
  }
  layout.heading('Executive summary', 14);
  if (contents[0]) contents[0].page = layout.pageIndex();
  for (const block of summaryBlocks(brief)) {
    doc.font(BODY).fontSize(9.5);
    layout.ensure(
      Math.min(
        200,
        block.paragraphs.reduce((h, text) => h + doc.heightOfString(text, { width, lineGap: 1.5 }) + 6, 0),
      ) + 60,
    );
    block.paragraphs.forEach((text) => layout.paragraph(text));
    layout.drawTable(block.table);
  }
  return contents;
}

/** Each run's section on new pages: scenario and data, charts, tables. */
function writeSections(layout: PdfLayout, numbered: NumberedBrief, contents: ContentsEntry[]): void {
  const { width } = layout;
  numbered.sections.forEach((section, i) => {
    layout.doc.addPage();
    if (contents[i + 1]) contents[i + 1]!.page = layout.pageIndex();
    layout.heading(section.heading, 15);
    layout.heading(`${i + 1}.1 Scenario and data`, 11);
    section.scenario.forEach((text) => layout.paragraph(text));
    if (section.network) layout.drawChart(section.network);
    if (section.charts.length > 0)
      layout.heading(
        `${i + 1}.2 Charts`,
        11,
        Math.min(...section.charts.map((c) => c.height * Math.min(1, width / c.width))) * 0.6 + 40,
      );
    section.charts.forEach((chart) => layout.drawChart(chart));
    if (section.tables.length > 0) layout.heading(`${i + 1}.${section.charts.length > 0 ? 3 : 2} Tables`, 11, 70);
    section.tables.forEach((table) => layout.drawTable(table));
  });
}

function writeAppendix(
  layout: PdfLayout,
  brief: ComposedBrief,
  numbered: NumberedBrief,
  contents: ContentsEntry[],
): void {
  layout.doc.addPage();
  if (contents.length > 0) contents.at(-1)!.page = layout.pageIndex();
  layout.heading('Appendix: method and provenance', 15);
  for (const section of numbered.sections) {
    layout.heading(section.heading, 11);
    section.method.forEach((text) => layout.paragraph(text, { size: 8.5 }));
    layout.drawTable(provenanceTable(section.provenance));
  }
  if (brief.auditTrail) {
    layout.heading('Audit trail', 11);
    layout.drawTable(brief.auditTrail);
  }
  layout.paragraph(
    `Composed by Contagion Workbench ${brief.software.version}; TensorFlow.js backend on this machine: ${brief.software.learningBackend}.`,
    { size: 8.5, color: MUTED },
  );
}

/** The contents on the title page, now that each part's page is known. */
function writeContents(layout: PdfLayout, contents: ContentsEntry[]): void {
  const { doc, width } = layout;
  if (contents.length === 0) return;
  doc.switchToPage(doc.bufferedPageRange().start);
  for (const entry of contents) {
    doc
      .font(BODY)
      .fontSize(10)
      .fillColor(INK)
      .text(entry.title, MARGIN, entry.y, { width: width - 50, lineBreak: false, ellipsis: true });
    doc.text(String((entry.page ?? 0) + 1), MARGIN + width - 40, entry.y, {
      width: 40,
      align: 'right',
      lineBreak: false,
    });
  }
}

/** The marking on every page, top and bottom, with the page number. */
function writeMarkings(layout: PdfLayout, brief: ComposedBrief): void {
  const { doc, width } = layout;
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(BOLD)
      .fontSize(8)
      .fillColor(MARK)
      .text(brief.marking, MARGIN, 24, { width, align: 'center', lineBreak: false });
    const footerY = doc.page.height - 36;
    doc
      .font(BOLD)
      .fontSize(8)
      .fillColor(MARK)
      .text(brief.marking, MARGIN, footerY, { width: width / 2, lineBreak: false });
    doc
      .font(BODY)
      .fontSize(8)
      .fillColor(MUTED)
      .text(
        `${brief.organisation ? `${brief.organisation.slice(0, 40)} — ` : ''}${brief.title.slice(0, 60)} — page ${index + 1} of ${range.count}`,
        MARGIN + width / 2,
        footerY,
        { width: width / 2, align: 'right', lineBreak: false },
      );
    doc.page.margins.bottom = savedBottom;
  }
}

export async function briefToPdf(brief: ComposedBrief): Promise<Uint8Array> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([
    import('pdfkit'),
    import('svg-to-pdfkit'),
  ]);
  const asOf = new Date(brief.asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN + 8, bottom: MARGIN + 8, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: brief.title,
      Subject: brief.marking,
      Creator: `Contagion Workbench ${brief.software.version}`,
      Producer: 'Contagion Workbench',
      CreationDate: asOf,
      ModDate: asOf,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const fonts = fontsDir();
  doc.registerFont(BODY, `${fonts}DejaVuSans.ttf`);
  doc.registerFont(BOLD, `${fonts}DejaVuSans-Bold.ttf`);
  const layout = new PdfLayout(doc, SVGtoPDF);
  const numbered = numberedBrief(brief);
  const contents = writeTitlePage(layout, brief, numbered);
  writeSections(layout, numbered, contents);
  writeAppendix(layout, brief, numbered, contents);
  writeContents(layout, contents);
  writeMarkings(layout, brief);
  doc.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
