import { AppError } from '../../src-shared/errors';

/** A file that cannot be imported: the message names the row, entry or field and the rule it breaks. */
export class ImportError extends AppError {
  constructor(message: string, field?: string) {
    super('import_failed', message, field);
    this.name = 'ImportError';
  }
}
