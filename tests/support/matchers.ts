/**
 * Vitest's asymmetric matchers typed `unknown`: expect.stringMatching and its kin return `any`, which the type-checked
 * lint refuses as the value of a field (no-unsafe-assignment). toEqual and toMatchObject take them all the same;
 * anyOf(String) is expect.any(String).
 */
import { expect } from 'vitest';

export const stringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);
export const objectContaining = (fields: object): unknown => expect.objectContaining(fields);
export const arrayContaining = (items: unknown[]): unknown => expect.arrayContaining(items);
export const anyOf = (type: unknown): unknown => expect.any(type);
