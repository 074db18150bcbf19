/**
 * The convention for quantities that are undefined for a given input (a ratio with a zero denominator): the
 * number is left out of the result and a `…Note` field says why in words; JSON never holds null, NaN or ∞ for it
 * (docs/data-protection/numbers-and-crashes.md). Screens, briefs and the command line print the note instead.
 */

/** The number formatted, or the note (e.g. "undefined (no loss without contagion)"). */
export function numberOrNote(
  value: number | undefined,
  note: string | undefined,
  format: (value: number) => string,
): string {
  return value !== undefined && Number.isFinite(value) ? format(value) : (note ?? 'undefined');
}
