/** Reads the shock scenario CSV of docs/formats.md against a network (header `scenario,<node id>,…`). */
import Papa from 'papaparse';
import type { ClearingSystem } from '../engines/network-arrays';
import { ImportError, quote } from './import-error';
import { checkLineLengths } from './import-limits';

export interface ShockTable {
  scenarioNames: string[];
  /** One row per scenario, in the network's node order (missing columns are 0). */
  rows: Float64Array[];
}

/**
 * Parses the shock CSV (header `scenario,<node id>,…`) with papaparse. Unknown ids, duplicate columns, negative,
 * non-numeric values or values above c_i are refused with an ImportError naming the row and column.
 */
export function parseShockCsv(text: string, system: ClearingSystem, fileName = 'shocks file'): ShockTable {
  const parsed = Papa.parse<string[]>(checkLineLengths(fileName, text.replace(/^\uFEFF/, '')), {
    skipEmptyLines: 'greedy',
  });
  const lines = parsed.data;
  if (lines.length === 0) throw new ImportError(`${fileName} is empty; expected a header "scenario,<node id>,…"`);
  const header = lines[0]!.map((cell) => cell.trim());
  if (header[0]?.toLowerCase() !== 'scenario') {
    throw new ImportError(`${fileName}: row 1, column 1: must be "scenario" — ${quote(header[0] ?? '')}`);
  }
  const indexOf = new Map(system.ids.map((id, i) => [id, i]));
  const columns: number[] = [];
  const seen = new Set<string>();
  header.slice(1).forEach((id, k) => {
    const index = indexOf.get(id);
    if (index === undefined)
      throw new ImportError(`${fileName}: row 1, column ${k + 2}: not a node of the network — ${quote(id)}`);
    if (seen.has(id)) throw new ImportError(`${fileName}: row 1, column ${k + 2}: appears twice — ${quote(id)}`);
    seen.add(id);
    columns.push(index);
  });
  const scenarioNames: string[] = [];
  const rows: Float64Array[] = [];
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!;
    const rowLabel = `row ${r + 1}`;
    const columnLabel = (id: string) => `column ${quote(id, 40)}`;
    if (cells.length !== header.length) {
      throw new ImportError(`${fileName}: ${rowLabel} has ${cells.length} values, the header has ${header.length}`);
    }
    const row = new Float64Array(system.nBanks);
    for (let k = 0; k < columns.length; k++) {
      const text = cells[k + 1]!.trim();
      const id = header[k + 1]!;
      const value = text === '' ? Number.NaN : Number(text);
      const bank = columns[k]!;
      if (!Number.isFinite(value) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        throw new ImportError(`${fileName}: ${rowLabel}, ${columnLabel(id)}: not a number — ${quote(text)}`);
      }
      if (value < 0) throw new ImportError(`${fileName}: ${rowLabel}, ${columnLabel(id)}: shock ${value} is negative`);
      if (value > system.outsideAssets[bank]!) {
        throw new ImportError(
          `${fileName}: ${rowLabel}, ${columnLabel(id)}: shock ${value} exceeds outside assets c = ${system.outsideAssets[bank]}`,
        );
      }
      row[bank] = value;
    }
    scenarioNames.push(cells[0]!.trim() || String(r));
    rows.push(row);
  }
  return { scenarioNames, rows };
}
