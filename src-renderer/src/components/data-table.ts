/**
 * The columns and rows DataTable.vue shows. They live in a module of their own, not in the component: the
 * type-checked lint (typescript-eslint) cannot read types exported from a .vue file and would see them as `any`.
 */
import type { ColumnKind } from '../../../src-shared/format/numbers';

export interface TableColumn {
  key: string;
  label: string;
  unit?: string;
  /** 'number' (default for numeric values), 'count', 'percent' (value 0–1), or 'text'. */
  kind?: ColumnKind;
  /** Digits of a number column (significant digits of its largest value). */
  significant?: number;
  title?: string;
  /** False for a column a header click must not sort (an action column). */
  sortable?: boolean;
  /** False for a column left out of CSV/XLSX exports (buttons, not figures). */
  exported?: boolean;
  /** The cell's text where the column has a notation of its own (a brief's table as its PDF prints it); sorting and exports keep the value. */
  format?: (value: TableCell) => string;
}

/** A cell's value: text, a number, or nothing (shown as "—"). */
export type TableCell = string | number | null | undefined;
export type TableRow = Record<string, TableCell>;
