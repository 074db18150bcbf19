/**
 * The annex of a brief's tables: an XLSX workbook (exceljs; a contents sheet with the marking, the key figures,
 * one sheet per table with every row, the provenance) or one CSV in long form
 * (section, table, row, column, unit, value) that any tool reads.
 */
import type { BriefTable, ComposedBrief, TableCell } from '../../../src-shared/briefs';
import { keyFigureTable, provenanceTable } from '../../../src-shared/brief-format';
import { csvRow, xlsxCell } from '../../../src-shared/formats/csv-cell';

interface AnnexTable {
  section: string;
  /** null: a table of the whole brief (the audit trail). */
  runId: number | null;
  table: BriefTable;
}

function annexTables(brief: ComposedBrief): AnnexTable[] {
  const perRun = brief.sections.flatMap((section): AnnexTable[] => [
    {
      section: section.heading,
      runId: section.runId,
      table: keyFigureTable('Key figures', section.keyFigures, 'value'),
    },
    ...section.tables.map((table) => ({ section: section.heading, runId: section.runId, table })),
    { section: section.heading, runId: section.runId, table: provenanceTable(section.provenance) },
  ]);
  return brief.auditTrail ? [...perRun, { section: 'Audit trail', runId: null, table: brief.auditTrail }] : perRun;
}

const allRows = (table: BriefTable): TableCell[][] => table.annexRows ?? table.rows;

export async function briefToXlsx(brief: ComposedBrief): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  const asOf = new Date(brief.asOf);
  workbook.creator = `Contagion Workbench ${brief.software.version}`;
  workbook.created = asOf;
  workbook.modified = asOf;
  workbook.title = brief.title;
  workbook.subject = brief.marking;
  if (brief.organisation) workbook.company = brief.organisation;
  const contents = workbook.addWorksheet('Contents');
  contents.addRow([xlsxCell(brief.marking)]).font = { bold: true, color: { argb: 'FFB42318' } };
  contents.addRow([xlsxCell(brief.title)]).font = { bold: true, size: 14 };
  contents.addRow([`Composed from runs ${brief.runIds.map((id) => `#${id}`).join(', ')}; figures as of ${brief.asOf}`]);
  contents.addRow([]);
  contents.addRow(['Sheet', 'Section', 'Table', 'Rows']).font = { bold: true };
  const used = new Set<string>(['Contents']);
  annexTables(brief).forEach(({ section, runId, table }, index) => {
    let name = `${index + 1} ${table.title}`.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31);
    while (used.has(name)) name = `${name.slice(0, 28)}~${index}`;
    used.add(name);
    contents.addRow([name, section, table.title, allRows(table).length].map(xlsxCell));
    const sheet = workbook.addWorksheet(name);
    sheet.addRow([xlsxCell(brief.marking)]).font = { bold: true, color: { argb: 'FFB42318' } };
    sheet.addRow([`${table.title} — ${section}${runId === null ? '' : ` (run #${runId})`}`]).font = { bold: true };
    sheet.addRow(table.columns.map((c) => xlsxCell(c.unit ? `${c.label} (${c.unit})` : c.label))).font = { bold: true };
    for (const row of allRows(table)) sheet.addRow(row.map(xlsxCell));
    table.columns.forEach((column, j) => {
      sheet.getColumn(j + 1).width = column.numeric ? 18 : 28;
    });
  });
  contents.getColumn(1).width = 32;
  contents.getColumn(2).width = 48;
  contents.getColumn(3).width = 36;
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** A comment line of the CSV: one line whatever the title or marking holds. */
const commentLine = (text: string) => `# ${text.replace(/[\r\n]+/g, ' ')}`;

export function briefToCsv(brief: ComposedBrief): string {
  const lines = [
    commentLine(brief.marking),
    ...(brief.organisation ? [commentLine(brief.organisation)] : []),
    commentLine(`${brief.title}; runs ${brief.runIds.join(' ')}; as of ${brief.asOf}`),
    'run,section,table,row,column,unit,value',
  ];
  for (const { section, runId, table } of annexTables(brief)) {
    allRows(table).forEach((row, r) => {
      row.forEach((cell, j) => {
        const column = table.columns[j]!;
        lines.push(csvRow([runId, section, table.title, r + 1, column.label, column.unit ?? '', cell]));
      });
    });
  }
  return `${lines.join('\n')}\n`;
}
