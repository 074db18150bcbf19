/**
 * The one router: validates each payload with the contract's zod schema, calls the handler, and maps every
 * outcome to the `{ ok, value } | { ok: false, error }` envelope. Unknown channels and bad payloads are
 * answered, never thrown; unexpected errors are logged and reported without internals.
 */
import { contract, isChannel, type Channel, type OutputOf, type ParsedInputOf } from '../../src-shared/contract';
import { AppError, describeIssues } from '../../src-shared/errors';
import { issuesInWords } from '../../src-shared/format/labels';
import type { AppContext, Router } from './context';

export type { Router } from './context';

export type Handler<C extends Channel> = (
  input: ParsedInputOf<C>,
  context: AppContext,
) => OutputOf<C> | Promise<OutputOf<C>>;
export type Handlers = { [C in Channel]: Handler<C> };

/** The router over a table of handlers (api/handlers.ts; app.ts wraps it with the store's faults). */
export function createRouter(context: AppContext, table: Handlers): Router {
  return {
    async handle(channel, payload) {
      if (!isChannel(channel)) {
        return { ok: false, error: { code: 'unknown_channel', message: `unknown channel "${String(channel)}"` } };
      }
      const parsed = contract[channel].input.safeParse(payload ?? {});
      if (!parsed.success) {
        // The message in the user's words ("Max shock must be between 0 and 100 %"); the field keeps the path.
        const { field } = describeIssues(parsed.error.issues);
        return { ok: false, error: { code: 'invalid_input', message: issuesInWords(parsed.error.issues), field } };
      }
      try {
        const handler = table[channel] as (input: unknown, context: AppContext) => unknown;
        const value = await handler(parsed.data, context);
        return { ok: true, value };
      } catch (error) {
        if (error instanceof AppError) {
          return { ok: false, error: { code: error.code, message: error.message, field: error.field } };
        }
        console.error(`[router] ${channel} failed`, error);
        return { ok: false, error: { code: 'internal', message: `${channel} failed: ${(error as Error).message}` } };
      }
    },
  };
}

/** Unwraps a result for callers in the main process (the CLI): throws the AppError it carries. */
export async function call<C extends Channel>(
  router: Router,
  channel: C,
  payload: ParsedInputOf<C> | Record<string, unknown>,
): Promise<OutputOf<C>> {
  const result = await router.handle(channel, payload);
  if (!result.ok) throw new AppError(result.error.code, result.error.message, result.error.field);
  return result.value as OutputOf<C>;
}
