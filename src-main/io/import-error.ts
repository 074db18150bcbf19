import { AppError } from '../../src-shared/errors';

/** Characters of offending content a message quotes. */
export const QUOTED_CHARS = 60;
/** The longest refusal message. */
export const MAX_MESSAGE_CHARS = 300;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

/** Offending content as a message shows it: in quotes, control characters escaped, cut at 60 characters. */
export function quote(content: string, max = QUOTED_CHARS): string {
  const head = [...content.slice(0, max * 2 + 2)];
  const cut = head.length > max || content.length > max * 2 + 2;
  return `"${escapeControl(head.slice(0, max).join(''))}${cut ? '…' : ''}"`;
}

/** Column names for a message: the first eight quoted, then how many more. */
export function listColumns(columns: readonly string[]): string {
  const shown = columns.slice(0, 8).map((column) => quote(column, 30));
  return columns.length > 8 ? `${shown.join(', ')} and ${columns.length - 8} more` : shown.join(', ');
}

/** Any message as one line of at most 300 characters (control characters escaped). */
export function oneLine(message: string, max = MAX_MESSAGE_CHARS): string {
  const line = escapeControl(message.length > max * 4 ? message.slice(0, max * 4) : message);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * A file that cannot be imported: the message names the row, entry or field and the rule it breaks, on one line
 * of at most 300 characters (see import-limits.ts for the shape).
 */
export class ImportError extends AppError {
  constructor(message: string, field?: string) {
    super('import_failed', oneLine(message), field);
    this.name = 'ImportError';
  }
}

/** The refusal of a file whose SHA-256 matches a dataset already in the store. */
export function alreadyImportedError(
  fileName: string,
  existing: { id: number; name: string; importedAt: string },
): AppError {
  return new AppError(
    'conflict',
    `${fileName} was already imported as dataset ${existing.id} "${existing.name}" on ${existing.importedAt.slice(0, 10)} (same SHA-256)`,
  );
}
