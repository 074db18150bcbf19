/**
 * Reads and writes the JSON formats of docs/formats.md — `contagion-workbench/network@1` and
 * `contagion-workbench/crossholdings@1` — losslessly; a file that breaks a rule is refused whole, in one line
 * that names the entry and field in words ("node 3, outside assets: must be ≥ 0 — "-5"").
 */
import type { z } from 'zod';
import { AppError } from '../../src-shared/errors';
import {
  CROSSHOLDINGS_FORMAT,
  economyDocumentSchema,
  type EconomyDocument,
} from '../../src-shared/formats/crossholdings';
import type { ExportMetadata } from '../../src-shared/formats/export-marking';
import { networkDocumentSchema, storedNetworkIssues, type NetworkDocument } from '../../src-shared/formats/network';
import { ImportError, oneLine, quote } from './import-error';
import { decodeUtf8Strict } from './import-limits';
import { readJsonFile } from './json-stream';

/** "outsideAssets" → "outside assets"; "liabilities" → "liability" (for an entry of the list). */
const words = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
const singular = (key: string): string => {
  const text = words(key);
  if (text.endsWith('ies')) return `${text.slice(0, -3)}y`;
  if (text.endsWith('s')) return text.slice(0, -1);
  return text;
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key as string];
  }
  return value;
}

/** A JSON path in words: ["nodes", 2, "outsideAssets"] → 'node 3 (id "B"), outside assets'. */
export function describePath(path: readonly PropertyKey[], root?: unknown): string {
  const parts: string[] = [];
  for (let k = 0; k < path.length; k += 1) {
    const key = path[k]!;
    const next = path[k + 1];
    if (typeof key === 'string' && typeof next === 'number') {
      const entry = valueAt(root, path.slice(0, k + 2)) as { id?: unknown } | undefined;
      const id =
        entry && typeof entry === 'object' && typeof entry.id === 'string' ? ` (id ${quote(entry.id, 30)})` : '';
      parts.push(`${singular(key)} ${next + 1}${id}`);
      k += 1;
    } else if (typeof key === 'number') {
      parts.push(`entry ${key + 1}`);
    } else {
      parts.push(words(String(key)));
    }
  }
  return parts.join(', ');
}

/** Zod issues as one line: the first issue in words, with the offending value, and how many more there are. */
export function describeDocumentIssues(
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>,
  root?: unknown,
): { message: string; field?: string } {
  const first = issues[0];
  if (!first) return { message: 'refused' };
  const where = describePath(first.path, root);
  const value = valueAt(root, first.path);
  const shown =
    typeof value === 'string'
      ? ` — ${quote(value)}`
      : typeof value === 'number' || typeof value === 'boolean'
        ? ` — ${quote(String(value))}`
        : '';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'})` : '';
  return {
    message: `${where ? `${where}: ` : ''}${first.message.replace(/^Invalid input: /, '')}${shown}${more}`,
    field: first.path.length > 0 ? first.path.map(String).join('.') : undefined,
  };
}

/** The line and column (from 1) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    start = at + 1;
  }
  return { line, column: offset - start + 1 };
}

/** JSON text → value, or a one-line refusal naming the line and column. */
export function parseJsonText(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    if (text.trim() === '') throw new ImportError(`${fileName} is empty (expected a JSON document)`);
    if (!(error instanceof SyntaxError)) throw new ImportError(`${fileName} is not valid JSON: nested too deeply`);
    if (!position)
      throw new ImportError(
        `${fileName} is not valid JSON: ${/end of JSON/i.test(message) ? 'it ends too early (truncated?)' : 'unexpected content'}`,
      );
    const offset = Number(position[1]);
    const { line, column } = lineAndColumn(text, offset);
    throw new ImportError(
      `${fileName}: line ${line}, column ${column}: not valid JSON — ${quote(text.slice(offset, offset + 60))}`,
    );
  }
}

export function parseJsonDocument<T>(schema: z.ZodType<T>, input: string | Uint8Array, fileName: string): T {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeUtf8Strict(fileName, input);
  return documentFromJson(schema, parseJsonText(text, fileName), fileName);
}

/** A parsed JSON value checked against the format's schema; one-line refusal naming the entry and field. */
function documentFromJson<T>(schema: z.ZodType<T>, raw: unknown, fileName: string): T {
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(raw);
  } catch {
    throw new ImportError(`${fileName} was refused: the document is nested too deeply`);
  }
  if (!parsed.success) {
    const { message, field } = describeDocumentIssues(parsed.error.issues, raw);
    throw new ImportError(`${fileName}: ${message}`, field);
  }
  return parsed.data;
}

/**
 * The document without the `metadata` of an exported file (its classification marking, export-marking.ts): it
 * describes the file, not the network, so an exported file imports again as the network it was exported from.
 */
export function withoutMetadata<T extends { metadata?: unknown }>(document: T): T {
  if (document.metadata === undefined) return document;
  const copy = { ...document };
  delete copy.metadata;
  return copy;
}

export const parseNetworkJson = (input: string | Uint8Array, fileName = 'network file'): NetworkDocument =>
  withBanks(parseJsonDocument(networkDocumentSchema, input, fileName), fileName);

/**
 * A network@1 file read as a stream (json-stream.ts: 1 MiB chunks, never one string of the whole file) and checked
 * by the same rules, with the same one-line refusals, as parseNetworkJson.
 */
export const readNetworkJsonFile = (path: string, fileName = 'network file'): NetworkDocument =>
  withBanks(documentFromJson(networkDocumentSchema, readJsonFile(path, fileName), fileName), fileName);

function withBanks(document: NetworkDocument, fileName: string): NetworkDocument {
  if (document.nodes.length === 0) throw new ImportError(`${fileName}: the network has no banks`, 'nodes');
  return withoutMetadata(document);
}

export const parseEconomyJson = (input: string | Uint8Array, fileName = 'economy file'): EconomyDocument =>
  withoutMetadata(parseJsonDocument(economyDocumentSchema, input, fileName));

/**
 * The one validation path of every network (or economy) the store keeps — imported in any format, drawn in the
 * editor, built by RAS, reconstructed: the same rules as an imported network@1 (or crossholdings@1) JSON file,
 * and at least one bank, so that the export of any stored network imports again. Throws a one-line AppError.
 */
export function checkStoredDocument(
  document: NetworkDocument | EconomyDocument,
  options: { allowEmpty?: boolean } = {},
): void {
  const issues =
    document.format === CROSSHOLDINGS_FORMAT
      ? (economyDocumentSchema.safeParse(document).error?.issues ?? [])
      : storedNetworkIssues(document, options);
  if (issues.length === 0) return;
  const { message, field } = describeDocumentIssues(issues, document);
  throw new AppError(
    'invalid_input',
    oneLine(
      `${document.format === CROSSHOLDINGS_FORMAT ? 'the economy' : 'the network'} ${quote(String(document.name ?? ''), 40)} was not stored: ${message}`,
    ),
    field,
  );
}

/** True when the text is a JSON object whose `format` is the given one (cheap check before full parsing). */
export function declaresFormat(text: string, format: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown })?.format === format;
  } catch {
    return false;
  }
}

/** The document as JSON text; with `metadata` (an export's classification marking), that field follows `format`. */
export function serialiseJson(document: NetworkDocument | EconomyDocument, metadata?: ExportMetadata): string {
  // Key order: format, then metadata, then the document's own fields.
  const marked = metadata ? Object.assign({ format: document.format, metadata }, withoutMetadata(document)) : document;
  return `${JSON.stringify(marked, null, 2)}\n`;
}
