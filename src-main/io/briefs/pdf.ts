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

export async function briefToPdf(brief: ComposedBrief): Promise<Uint8Array> {
  const [{ default: PDFDocument }, { default: SVGtoPDF }] = await Promise.all([import('pdfkit'), import('svg-to-pdfkit')]);
  const asOf = new Date(brief.asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN + 8, bottom: MARGIN + 8, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: { Title: brief.title, Subject: brief.marking, Creator: `Contagion Workbench ${brief.software.version}`, Producer: 'Contagion Workbench', CreationDate: asOf, ModDate: asOf },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const fonts = fontsDir();
  doc.registerFont(BODY, `${fonts}DejaVuSans.ttf`);
  doc.registerFont(BOLD, `${fonts}DejaVuSans-Bold.ttf`);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const top = () => doc.page.margins.top;
  const ensure = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  /** A heading stays with the first `keepWith` points of what follows it (never the last thing on a page). */
  const heading = (text: string, size: number, keepWith = 60) => {
    doc.font(BOLD).fontSize(size);
    ensure(size * 0.6 + doc.heightOfString(text, { width }) + size * 0.3 + keepWith);
    doc.moveDown(0.6).font(BOLD).fontSize(size).fillColor(INK).text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };
  const pageIndex = () => doc.bufferedPageRange().start + doc.bufferedPageRange().count - 1;
  const paragraph = (text: string, options: { size?: number; color?: string } = {}) =>
    doc.font(BODY).fontSize(options.size ?? 9.5).fillColor(options.color ?? INK).text(text, MARGIN, doc.y, { width, lineGap: 1.5 }).moveDown(0.4);

  const drawChart = (chart: BriefChart) => {
    let scale = Math.min(1, width / chart.width, 560 / chart.height);
    const room = bottom() - doc.y - 40;
    // Rather than leave a page less than a third full, draw the picture smaller in the room that is left.
    if (chart.height * scale > room && (doc.y - top()) / (bottom() - top()) < 1 / 3) scale = Math.min(scale, room / chart.height);
    const height = chart.height * scale;
    ensure(height + 40);
    doc.font(BOLD).fontSize(10).fillColor(INK).text(chart.title, MARGIN, doc.y, { width });
    const chartTop = doc.y + 4;
    // svg-to-pdfkit draws at the root's own width and height: give it the scaled size.
    const svg = chart.svg.replace(/^<svg([^>]*?)\swidth="[\d.]+"([^>]*?)\sheight="[\d.]+"/, `<svg$1 width="${chart.width * scale}"$2 height="${height}"`);
    SVGtoPDF(doc, svg, MARGIN + (width - chart.width * scale) / 2, chartTop, {
      width: chart.width * scale,
      height,
      assumePt: true,
      fontCallback: (_family: string, bold: boolean) => (bold ? BOLD : BODY),
    });
    doc.y = chartTop + height + 8;
    paragraph(chart.caption, { size: 8, color: MUTED });
  };

  const drawTable = (table: BriefTable) => {
    const headers = table.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));
    const texts = table.rows.map((row) => row.map((cell, j) => cellText(cell, table.columns[j]?.digits)));
    doc.fontSize(8);
    const natural = headers.map((h, j) => table.columns[j]!.share !== undefined ? table.columns[j]!.share! * width : Math.max(doc.font(BOLD).widthOfString(h) * 0.6, ...texts.map((r) => doc.font(BODY).widthOfString(r[j] ?? '')), 24) + 8);
    const total = natural.reduce((a, b) => a + b, 0);
    const widths = natural.map((w) => (w * width) / total);
    const rowHeight = (cells: string[], font: string) =>
      Math.max(...cells.map((cell, j) => doc.font(font).fontSize(8).heightOfString(cell, { width: widths[j]! - 6 }))) + 5;
    const drawRow = (cells: string[], font: string, fill?: string) => {
      const height = rowHeight(cells, font);
      if (fill) doc.rect(MARGIN, doc.y, width, height).fill(fill);
      let x = MARGIN;
      const y = doc.y;
      cells.forEach((cell, j) => {
        doc.font(font).fontSize(8).fillColor(INK).text(cell, x + 3, y + 2.5, { width: widths[j]! - 6, align: table.columns[j]!.numeric && font === BODY ? 'right' : 'left' });
        x += widths[j]!;
      });
      doc.y = y + height;
      doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(0.4).strokeColor(RULE).stroke();
    };
    // the title stays with the header row and the first row
    ensure(doc.font(BOLD).fontSize(10).heightOfString(table.title, { width }) + 6 + rowHeight(headers, BOLD) + (texts[0] ? rowHeight(texts[0], BODY) : 0));
    doc.font(BOLD).fontSize(10).fillColor(INK).text(table.title, MARGIN, doc.y, { width }).moveDown(0.2);
    drawRow(headers, BOLD, '#eef2f7');
    texts.forEach((cells, i) => {
      if (doc.y + rowHeight(cells, BODY) > bottom()) {
        doc.addPage();
        drawRow(headers, BOLD, '#eef2f7');
      }
      drawRow(cells, BODY, i % 2 === 1 ? '#f9fafb' : undefined);
    });
    doc.moveDown(0.3);
    if (table.note) paragraph(table.note, { size: 8, color: MUTED });
    doc.moveDown(0.4);
  };

  // Title page: title, marking, contents (more than one run), then the executive summary.
  const numbered = numberedBrief(brief);
  doc.font(BOLD).fontSize(20).fillColor(INK).text(brief.title, MARGIN, MARGIN + 30, { width });
  if (brief.organisation) doc.moveDown(0.2).font(BODY).fontSize(12).fillColor(INK).text(brief.organisation, { width });
  doc.moveDown(0.3).font(BOLD).fontSize(11).fillColor(MARK).text(brief.marking, { width });
  paragraph(`Composed from run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((id) => `#${id}`).join(', ')}; figures as of ${brief.asOf.slice(0, 19).replace('T', ' ')} UTC. Contagion Workbench ${brief.software.version}.`, { color: MUTED });
  const contents: Array<{ title: string; y: number; page?: number }> = [];
  if (brief.sections.length > 1) {
    heading('Contents', 14);
    for (const title of ['Executive summary', ...numbered.sections.map((s) => s.heading), 'Appendix: method and provenance']) {
      contents.push({ title, y: doc.y });
      doc.y += 14;
    }
  }
  heading('Executive summary', 14);
  if (contents[0]) contents[0].page = pageIndex();
  for (const block of summaryBlocks(brief)) {
    doc.font(BODY).fontSize(9.5);
    ensure(Math.min(200, block.paragraphs.reduce((h, text) => h + doc.heightOfString(text, { width, lineGap: 1.5 }) + 6, 0)) + 60);
    block.paragraphs.forEach((text) => paragraph(text));
    drawTable(block.table);
  }

  numbered.sections.forEach((section, i) => {
    doc.addPage();
    if (contents[i + 1]) contents[i + 1]!.page = pageIndex();
    heading(section.heading, 15);
    heading(`${i + 1}.1 Scenario and data`, 11);
    section.scenario.forEach((text) => paragraph(text));
    if (section.network) drawChart(section.network);
    if (section.charts.length > 0) heading(`${i + 1}.2 Charts`, 11, Math.min(...section.charts.map((c) => c.height * Math.min(1, width / c.width))) * 0.6 + 40);
    section.charts.forEach(drawChart);
    if (section.tables.length > 0) heading(`${i + 1}.${section.charts.length > 0 ? 3 : 2} Tables`, 11, 70);
    section.tables.forEach(drawTable);
  });

  doc.addPage();
  if (contents.length > 0) contents.at(-1)!.page = pageIndex();
  heading('Appendix: method and provenance', 15);
  for (const section of numbered.sections) {
    heading(section.heading, 11);
    section.method.forEach((text) => paragraph(text, { size: 8.5 }));
    drawTable(provenanceTable(section.provenance));
  }
  if (brief.auditTrail) {
    heading('Audit trail', 11);
    drawTable(brief.auditTrail);
  }
  paragraph(`Composed by Contagion Workbench ${brief.software.version}; TensorFlow.js backend on this machine: ${brief.software.learningBackend}.`, { size: 8.5, color: MUTED });

  const range = doc.bufferedPageRange();
  if (contents.length > 0) {
    doc.switchToPage(range.start);
    for (const entry of contents) {
      doc.font(BODY).fontSize(10).fillColor(INK).text(entry.title, MARGIN, entry.y, { width: width - 50, lineBreak: false, ellipsis: true });
      doc.text(String((entry.page ?? 0) + 1), MARGIN + width - 40, entry.y, { width: 40, align: 'right', lineBreak: false });
    }
  }
  // The marking on every page, top and bottom, with the page number.
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    const savedBottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(BOLD).fontSize(8).fillColor(MARK).text(brief.marking, MARGIN, 24, { width, align: 'center', lineBreak: false });
    const footerY = doc.page.height - 36;
    doc.font(BOLD).fontSize(8).fillColor(MARK).text(brief.marking, MARGIN, footerY, { width: width / 2, lineBreak: false });
    doc.font(BODY).fontSize(8).fillColor(MUTED).text(`${brief.organisation ? `${brief.organisation.slice(0, 40)} — ` : ''}${brief.title.slice(0, 60)} — page ${index + 1} of ${range.count}`, MARGIN + width / 2, footerY, { width: width / 2, align: 'right', lineBreak: false });
    doc.page.margins.bottom = savedBottom;
  }
  doc.end();
  await finished;
  return new Uint8Array(Buffer.concat(chunks));
}
