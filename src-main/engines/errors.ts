/**
 * Errors raised by the engines. An engine refuses bad input with `EngineInputError`, whose message names the
 * bank (node id) or the scenario and the rule broken, and whose `field` is a dotted path to the offending value.
 */
import { AppError } from '../../src-shared/errors';

export class EngineInputError extends AppError {
  constructor(message: string, field?: string) {
    super('invalid_input', message, field);
    this.name = 'EngineInputError';
  }
}
