/**
 * Reads and writes the JSON formats of spec/formats.md — `contagion-workbench/network@1` and
 * `contagion-workbench/crossholdings@1` — losslessly; a file that breaks a rule is refused whole.
 */
import type { z } from 'zod';
import { describeIssues } from '../../src-shared/errors';
import { economyDocumentSchema, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import { networkDocumentSchema, type NetworkDocument } from '../../src-shared/formats/network';
import { ImportError } from './import-error';

export function parseJsonDocument<T>(schema: z.ZodType<T>, text: string, fileName: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`${fileName} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error.issues);
    throw new ImportError(`${fileName} was refused: ${message}`, field);
  }
  return parsed.data;
}

export const parseNetworkJson = (text: string, fileName = 'network file'): NetworkDocument =>
  parseJsonDocument(networkDocumentSchema, text, fileName);

export const parseEconomyJson = (text: string, fileName = 'economy file'): EconomyDocument =>
  parseJsonDocument(economyDocumentSchema, text, fileName);

/** True when the text is a JSON object whose `format` is the given one (cheap check before full parsing). */
export function declaresFormat(text: string, format: string): boolean {
  try {
    return (JSON.parse(text) as { format?: unknown })?.format === format;
  } catch {
    return false;
  }
}

export function serialiseJson(document: NetworkDocument | EconomyDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
