import { describe, expect, it } from 'vitest';
import { readerValueText } from '../../src-main/io/value-text';

describe('readerValueText', () => {
  it('writes scalars, dates, lists and bytes as String() does, and nothing for null', () => {
    expect(readerValueText(null)).toBe('');
    expect(readerValueText(undefined)).toBe('');
    expect(readerValueText(' Fund A ')).toBe(' Fund A ');
    expect(readerValueText(1.5)).toBe('1.5');
    expect(readerValueText(12345678901234567890n)).toBe('12345678901234567890');
    expect(readerValueText(false)).toBe('false');
    const day = new Date(Date.UTC(2024, 11, 31));
    expect(readerValueText(day)).toBe(String(day));
    expect(readerValueText(['a', 2, null])).toBe('a,2,');
    expect(readerValueText(new Uint8Array([1, 2]))).toBe('1,2');
  });

  it('writes a record as JSON (big integers as digits), not "[object Object]"', () => {
    expect(readerValueText({ error: '#N/A' })).toBe('{"error":"#N/A"}');
    expect(readerValueText({ id: 7n, name: 'x' })).toBe('{"id":"7","name":"x"}');
  });
});
