import { AppError } from '../../src-shared/errors';

/** A file that cannot be imported: the message names the row, entry or field and the rule it breaks. */
export class ImportError extends AppError {
  constructor(message: string, field?: string) {
    super('import_failed', message, field);
    this.name = 'ImportError';
  }
}

/** The refusal of a file whose SHA-256 matches a dataset already in the store. */
export function alreadyImportedError(fileName: string, existing: { id: number; name: string; importedAt: string }): AppError {
  return new AppError(
    'conflict',
    `${fileName} was already imported as dataset ${existing.id} "${existing.name}" on ${existing.importedAt.slice(0, 10)} (same SHA-256)`,
  );
}
