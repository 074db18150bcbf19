/** Reads and writes the `contagion-workbench/network@1` JSON format (spec/formats.md), losslessly. */
import { describeIssues } from '../../src-shared/errors';
import { networkDocumentSchema, type NetworkDocument } from '../../src-shared/formats/network';
import { ImportError } from './import-error';

export function parseNetworkJson(text: string, fileName = 'network file'): NetworkDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ImportError(`${fileName} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = networkDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const { message, field } = describeIssues(parsed.error.issues);
    throw new ImportError(`${fileName} was refused: ${message}`, field);
  }
  return parsed.data;
}

export function serialiseNetworkJson(document: NetworkDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
