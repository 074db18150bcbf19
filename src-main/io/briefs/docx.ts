/**
 * The brief as DOCX (docx): editable text and tables, the classification marking in the header and footer of
 * every page, bar charts as native Word charts with their data, the network picture as an SVG image (Word 2016
 * and later) with a PNG fallback of its dots and lines (raster.ts) for word processors without SVG support.
 */
import type { BriefChart, BriefTable, ComposedBrief } from '../../../src-shared/briefs';
import { cellText, numberedBrief, provenanceTable, summaryBlocks } from '../../../src-shared/brief-format';
import { encodePng, rasteriseShapes } from './raster';

const CONTENT_WIDTH_PX = 600;

export async function briefToDocx(brief: ComposedBrief): Promise<Uint8Array> {
  const [d, { ChartRun }] = await Promise.all([import('docx'), import('docx/charts')]);
  const text = (value: string, options: { bold?: boolean; size?: number; color?: string } = {}) =>
    new d.TextRun({ text: value, bold: options.bold, size: options.size, color: options.color, font: 'DejaVu Sans' });
  const para = (value: string, options: { bold?: boolean; size?: number; color?: string; keepNext?: boolean } = {}) =>
    new d.Paragraph({ children: [text(value, options)], spacing: { after: 120 }, keepNext: options.keepNext });
  // headings and titles keep with what follows them: Word never ends a page with one
  const heading = (value: string, level: (typeof d.HeadingLevel)[keyof typeof d.HeadingLevel]) => new d.Paragraph({ text: value, heading: level, spacing: { before: 240, after: 120 }, keepNext: true });
  const marking = (alignment: (typeof d.AlignmentType)[keyof typeof d.AlignmentType]) =>
    new d.Paragraph({ alignment, children: [text(brief.marking, { bold: true, size: 16, color: 'B42318' })] });

  const table = (t: BriefTable) => [
    para(t.title, { bold: true, keepNext: true }),
    new d.Table({
      width: { size: 100, type: d.WidthType.PERCENTAGE },
      rows: [
        new d.TableRow({
          tableHeader: true,
          children: t.columns.map((c) => new d.TableCell({ shading: { fill: 'EEF2F7', type: d.ShadingType.CLEAR, color: 'auto' }, children: [new d.Paragraph({ children: [text(c.unit ? `${c.label} (${c.unit})` : c.label, { bold: true, size: 16 })] })] })),
        }),
        ...t.rows.map(
          (row) =>
            new d.TableRow({
              children: row.map(
                (cell, j) =>
                  new d.TableCell({
                    children: [new d.Paragraph({ alignment: t.columns[j]?.numeric ? d.AlignmentType.RIGHT : d.AlignmentType.LEFT, children: [text(cellText(cell, t.columns[j]?.digits), { size: 16 })] })],
                  }),
              ),
            }),
        ),
      ],
    }),
    ...(t.note ? [para(t.note, { size: 16, color: '4B5563' })] : [para('')]),
  ];

  const chart = (c: BriefChart) => {
    const scale = Math.min(1, CONTENT_WIDTH_PX / c.width);
    const size = { width: Math.round(c.width * scale), height: Math.round(c.height * scale) };
    const native = c.data;
    return [
      para(c.title, { bold: true, keepNext: true }),
      new d.Paragraph({
        keepNext: true,
        children: [
          native
            ? new ChartRun({
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
      para(c.caption, { size: 16, color: '4B5563' }),
    ];
  };

  const children: Array<InstanceType<typeof d.Paragraph> | InstanceType<typeof d.Table>> = [
    new d.Paragraph({ heading: d.HeadingLevel.TITLE, children: [new d.TextRun({ text: brief.title })] }),
    ...(brief.organisation ? [para(brief.organisation, { size: 24 })] : []),
    para(brief.marking, { bold: true, color: 'B42318' }),
    para(`Composed from run${brief.runIds.length > 1 ? 's' : ''} ${brief.runIds.map((id) => `#${id}`).join(', ')}; figures as of ${brief.asOf.slice(0, 19).replace('T', ' ')} UTC. Contagion Workbench ${brief.software.version}.`, { color: '4B5563' }),
  ];
  const numbered = numberedBrief(brief);
  if (brief.sections.length > 1) {
    children.push(heading('Contents', d.HeadingLevel.HEADING_1), ...['Executive summary', ...numbered.sections.map((s) => s.heading), 'Appendix: method and provenance'].map((entry) => para(entry)));
  }
  children.push(heading('Executive summary', d.HeadingLevel.HEADING_1));
  for (const block of summaryBlocks(brief)) {
    children.push(...block.paragraphs.map((p) => para(p)), ...table(block.table));
  }
  numbered.sections.forEach((section, i) => {
    children.push(new d.Paragraph({ children: [new d.PageBreak()] }), heading(section.heading, d.HeadingLevel.HEADING_1), heading(`${i + 1}.1 Scenario and data`, d.HeadingLevel.HEADING_2));
    children.push(...section.scenario.map((s) => para(s)));
    if (section.network) children.push(...chart(section.network));
    if (section.charts.length) children.push(heading(`${i + 1}.2 Charts`, d.HeadingLevel.HEADING_2), ...section.charts.flatMap(chart));
    if (section.tables.length) children.push(heading(`${i + 1}.${section.charts.length ? 3 : 2} Tables`, d.HeadingLevel.HEADING_2), ...section.tables.flatMap(table));
  });
  children.push(new d.Paragraph({ children: [new d.PageBreak()] }), heading('Appendix: method and provenance', d.HeadingLevel.HEADING_1));
  for (const section of numbered.sections) {
    children.push(heading(section.heading, d.HeadingLevel.HEADING_2), ...section.method.map((m) => para(m, { size: 18 })));
    children.push(...table(provenanceTable(section.provenance)));
  }
  if (brief.auditTrail) children.push(heading('Audit trail', d.HeadingLevel.HEADING_2), ...table(brief.auditTrail));
  children.push(para(`Composed by Contagion Workbench ${brief.software.version}; TensorFlow.js backend on this machine: ${brief.software.learningBackend}.`, { size: 16, color: '4B5563' }));

  const document = new d.Document({
    title: brief.title,
    subject: brief.marking,
    creator: `Contagion Workbench ${brief.software.version}`,
    styles: { default: { document: { run: { font: 'DejaVu Sans', size: 19 } } } },
    sections: [
      {
        properties: { page: { size: { width: d.convertMillimetersToTwip(210), height: d.convertMillimetersToTwip(297) } } },
        headers: { default: new d.Header({ children: [marking(d.AlignmentType.CENTER)] }) },
        footers: {
          default: new d.Footer({
            children: [
              marking(d.AlignmentType.LEFT),
              new d.Paragraph({ alignment: d.AlignmentType.RIGHT, children: [new d.TextRun({ children: [`${brief.organisation ? `${brief.organisation.slice(0, 40)} — ` : ''}${brief.title.slice(0, 60)} — page `, d.PageNumber.CURRENT, ' of ', d.PageNumber.TOTAL_PAGES], size: 16 })] }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return new Uint8Array(await d.Packer.toBuffer(document));
}
