/**
 * The brief as DOCX (docx): editable text and tables, the classification marking in the header and footer of
 * every page, bar charts as native Word charts with their data, the network picture as an SVG image (Word 2016
 * and later) with a PNG fallback of its dots and lines (raster.ts) for word processors without SVG support.
 */
import type { BriefChart, BriefTable, ComposedBrief } from '../../../src-shared/briefs';
import { cellText, numberedBrief, provenanceTable, summaryBlocks } from '../../../src-shared/brief-format';
import { encodePng, rasteriseShapes } from './raster';

const CONTENT_WIDTH_PX = 600;

type Docx = typeof import('docx');
type ChartRunClass = (typeof import('docx/charts'))['ChartRun'];
type Block = InstanceType<Docx['Paragraph']> | InstanceType<Docx['Table']>;
type TextOptions = { bold?: boolean; size?: number; color?: string };

/** Builds the brief's paragraphs, headings, tables and charts as docx elements. */
class DocxParts {
  constructor(
    readonly d: Docx,
    private readonly ChartRun: ChartRunClass,
  ) {}

  text(value: string, options: TextOptions = {}) {
    return new this.d.TextRun({
      text: value,
      bold: options.bold,
      size: options.size,
      color: options.color,
      font: 'DejaVu Sans',
    });
  }

  para(value: string, options: TextOptions & { keepNext?: boolean } = {}) {
    return new this.d.Paragraph({
      children: [this.text(value, options)],
      spacing: { after: 120 },
      keepNext: options.keepNext,
    });
  }

  // headings and titles keep with what follows them: Word never ends a page with one
  heading(value: string, level: Docx['HeadingLevel'][keyof Docx['HeadingLevel']]) {
    return new this.d.Paragraph({ text: value, heading: level, spacing: { before: 240, after: 120 }, keepNext: true });
  }

  marking(brief: ComposedBrief, alignment: Docx['AlignmentType'][keyof Docx['AlignmentType']]) {
    return new this.d.Paragraph({
      alignment,
      children: [this.text(brief.marking, { bold: true, size: 16, color: 'B42318' })],
    });
  }

  table(t: BriefTable): Block[] {
    const d = this.d;
    return [
      this.para(t.title, { bold: true, keepNext: true }),
      new d.Table({
        width: { size: 100, type: d.WidthType.PERCENTAGE },
        rows: [
          new d.TableRow({
            tableHeader: true,
            children: t.columns.map(
              (c) =>
                new d.TableCell({
                  shading: { fill: 'EEF2F7', type: d.ShadingType.CLEAR, color: 'auto' },
                  children: [
                    new d.Paragraph({
                      children: [this.text(c.unit ? `${c.label} (${c.unit})` : c.label, { bold: true, size: 16 })],
                    }),
                  ],
                }),
            ),
          }),
          ...t.rows.map(
            (row) =>
              new d.TableRow({
                children: row.map(
                  (cell, j) =>
                    new d.TableCell({
                      children: [
                        new d.Paragraph({
                          alignment: t.columns[j]?.numeric ? d.AlignmentType.RIGHT : d.AlignmentType.LEFT,
                          children: [this.text(cellText(cell, t.columns[j]?.digits), { size: 16 })],
                        }),
                      ],
                    }),
                ),
              }),
          ),
        ],
      }),
      ...(t.note ? [this.para(t.note, { size: 16, color: '4B5563' })] : [this.para('')]),
    ];
  }

  /** A native Word chart when the chart has its data, else the SVG with a PNG fallback. */
  chart(c: BriefChart): Block[] {
    const d = this.d;
    const scale = Math.min(1, CONTENT_WIDTH_PX / c.width);
    const size = { width: Math.round(c.width * scale), height: Math.round(c.height * scale) };
    const native = c.data;
    return [
      this.para(c.title, { bold: true, keepNext: true }),
      new d.Paragraph({
        keepNext: true,
        children: [
          native
            ? new this.ChartRun({
                type: native.type,
                categories: native.categories,
                series: [{ name: native.valueTitle, values: native.values }],
                legend: false,
                font: { name: 'DejaVu Sans' },
                categoryAxis: { title: native.categoryTitle, reverseOrder: native.type === 'bar' },
                valueAxis: { title: native.valueTitle, ...(native.percent ? { numberFormat: '0.0%' } : {}) },
                transformation: size,
                altText: { name: c.title, title: c.title, description: c.caption },
              })
            : new d.ImageRun({
                type: 'svg',
                data: Buffer.from(c.svg, 'utf8'),
                fallback: { type: 'png', data: encodePng(rasteriseShapes(c.svg, c.width, c.height, 2)) },
                transformation: size,
                altText: { name: c.title, title: c.title, description: c.caption },
              }),
        ],
      }),
      this.para(c.caption, { size: 16, color: '4B5563' }),
    ];
  }
}

/** Title, organisation, marking, the runs, the contents (more than one run) and the executive summary. */
function titleBlocks(parts: DocxParts, brief: ComposedBrief, numbered: ReturnType<typeof numberedBrief>): Block[] {
  const d = parts.d;
  const children: Block[] = [
    new d.Paragraph({ heading: d.HeadingLevel.TITLE, children: [new d.TextRun({ text: brief.title })] }),
    ...(brief.organisation ? [parts.para(brief.organisation, { size: 24 })] : []),
    parts.para(brief.marking, { bold: true, color: 'B42318' }),
    parts.para(
      `Composed from run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((id) => `#${id}`).join(', ')}; figures as of ${brief.asOf.slice(0, 19).replace('T', ' ')} UTC. Contagion Workbench ${brief.software.version}.`,
      { color: '4B5563' },
    ),
  ];
  if (brief.sections.length > 1) {
    children.push(
      parts.heading('Contents', d.HeadingLevel.HEADING_1),
      ...['Executive summary', ...numbered.sections.map((s) => s.heading), 'Appendix: method and provenance'].map(
        (entry) => parts.para(entry),
      ),
    );
  }
  children.push(parts.heading('Executive summary', d.HeadingLevel.HEADING_1));
  for (const block of summaryBlocks(brief)) {
    children.push(...block.paragraphs.map((p) => parts.para(p)), ...parts.table(block.table));
  }
  return children;
}

/** Each run's section from a new page: scenario and data, charts, tables. */
function sectionBlocks(parts: DocxParts, numbered: ReturnType<typeof numberedBrief>): Block[] {
  const d = parts.d;
  const children: Block[] = [];
  numbered.sections.forEach((section, i) => {
    children.push(
      new d.Paragraph({ children: [new d.PageBreak()] }),
      parts.heading(section.heading, d.HeadingLevel.HEADING_1),
      parts.heading(`${i + 1}.1 Scenario and data`, d.HeadingLevel.HEADING_2),
    );
    children.push(...section.scenario.map((s) => parts.para(s)));
    if (section.network) children.push(...parts.chart(section.network));
    if (section.charts.length)
      children.push(
        parts.heading(`${i + 1}.2 Charts`, d.HeadingLevel.HEADING_2),
        ...section.charts.flatMap((c) => parts.chart(c)),
      );
    if (section.tables.length)
      children.push(
        parts.heading(`${i + 1}.${section.charts.length ? 3 : 2} Tables`, d.HeadingLevel.HEADING_2),
        ...section.tables.flatMap((t) => parts.table(t)),
      );
  });
  return children;
}

function appendixBlocks(parts: DocxParts, brief: ComposedBrief, numbered: ReturnType<typeof numberedBrief>): Block[] {
  const d = parts.d;
  const children: Block[] = [
    new d.Paragraph({ children: [new d.PageBreak()] }),
    parts.heading('Appendix: method and provenance', d.HeadingLevel.HEADING_1),
  ];
  for (const section of numbered.sections) {
    children.push(
      parts.heading(section.heading, d.HeadingLevel.HEADING_2),
      ...section.method.map((m) => parts.para(m, { size: 18 })),
    );
    children.push(...parts.table(provenanceTable(section.provenance)));
  }
  if (brief.auditTrail)
    children.push(parts.heading('Audit trail', d.HeadingLevel.HEADING_2), ...parts.table(brief.auditTrail));
  children.push(
    parts.para(
      `Composed by Contagion Workbench ${brief.software.version}; TensorFlow.js backend on this machine: ${brief.software.learningBackend}.`,
      { size: 16, color: '4B5563' },
    ),
  );
  return children;
}

export async function briefToDocx(brief: ComposedBrief): Promise<Uint8Array> {
  const [d, { ChartRun }] = await Promise.all([import('docx'), import('docx/charts')]);
  const parts = new DocxParts(d, ChartRun);
  const numbered = numberedBrief(brief);
  const children = [
    ...titleBlocks(parts, brief, numbered),
    ...sectionBlocks(parts, numbered),
    ...appendixBlocks(parts, brief, numbered),
  ];
  const document = new d.Document({
    title: brief.title,
    subject: brief.marking,
    creator: `Contagion Workbench ${brief.software.version}`,
    styles: { default: { document: { run: { font: 'DejaVu Sans', size: 19 } } } },
    sections: [
      {
        properties: {
          page: { size: { width: d.convertMillimetersToTwip(210), height: d.convertMillimetersToTwip(297) } },
        },
        headers: { default: new d.Header({ children: [parts.marking(brief, d.AlignmentType.CENTER)] }) },
        footers: {
          default: new d.Footer({
            children: [
              parts.marking(brief, d.AlignmentType.LEFT),
              new d.Paragraph({
                alignment: d.AlignmentType.RIGHT,
                children: [
                  new d.TextRun({
                    children: [
                      `${brief.organisation ? `${brief.organisation.slice(0, 40)} — ` : ''}${brief.title.slice(0, 60)} — page `,
                      d.PageNumber.CURRENT,
                      ' of ',
                      d.PageNumber.TOTAL_PAGES,
                    ],
                    size: 16,
                  }),
                ],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return new Uint8Array(await d.Packer.toBuffer(document));
}
