/**
 * The classification marking every network and table export carries (docs/formats.md, "Markings on exports"):
 * the marking and organisation of the settings (src-shared/briefs.ts, BRIEF_SETTINGS_KEY) unless a request names
 * its own, with the time of the export and the software that wrote it. network@1 and crossholdings@1 JSON carry it
 * as the optional `metadata` field, which importers accept and leave out of the stored document (it describes the
 * file, not the network); CSV files carry it as a first comment line (`# …`), which the CSV readers skip.
 */
import { z } from 'zod';

const text = z.string().max(256, 'longer than 256 characters');

/** The `metadata` field of an exported network@1 or crossholdings@1 file; other keys are accepted and ignored. */
export const exportMetadataSchema = z.object({
  marking: text,
  organisation: text.optional(),
  /** ISO 8601 time of the export. */
  exportedAt: text.optional(),
  /** "Contagion Workbench 1.2.3". */
  exportedBy: text.optional(),
});
export type ExportMetadata = z.output<typeof exportMetadataSchema>;

/** The first sheet of an exported network workbook: the marking, organisation and time of export. */
export const MARKING_SHEET = 'Classification';

/** The marking and organisation on one line: "CONFIDENTIAL — supervisory use · Financial Stability Department". */
export const markingLine = (metadata: Pick<ExportMetadata, 'marking' | 'organisation'>): string =>
  [metadata.marking, metadata.organisation ?? '']
    .map((part) => part.replace(/[\r\n]+/g, ' ').trim())
    .filter((part) => part !== '')
    .join(' · ');

/** The comment line a CSV export starts with ("# " + the marking line). */
export const markingComment = (metadata: Pick<ExportMetadata, 'marking' | 'organisation'>): string =>
  `# ${markingLine(metadata)}`;

/** A comment line of a CSV: "#" followed by a space, a tab or nothing (a header cell "#id" is not one). */
export const isCsvCommentLine = (line: string): boolean => /^#(?:[ \t]|$)/.test(line);
