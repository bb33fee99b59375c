import { describe, expect, it } from 'vitest';
import { fenToYuan, fenToYuanInput, formatFen, parseYuanInput, yuanToFen, YUAN_FORMAT_MESSAGE } from './money';

describe('money', () => {
  it('parses yuan typed by people without floating point', () => {
    expect(yuanToFen('1234.5')).toBe(123450);
    expect(yuanToFen('¥1,234.56')).toBe(123456);
    expect(yuanToFen('0.1')).toBe(10);
    for (const bad of ['1.234', '-1', '1e3', 'abc', '', '.5']) expect(yuanToFen(bad)).toBeUndefined();
  });
  it('reads a form field: empty is no amount, malformed is one message', () => {
    expect(parseYuanInput('  ')).toEqual({});
    expect(parseYuanInput(undefined)).toEqual({});
    expect(parseYuanInput('30000')).toEqual({ fen: 3_000_000 });
    expect(parseYuanInput('12.345')).toEqual({ error: YUAN_FORMAT_MESSAGE });
  });
  it('formats fen for people, inputs and files', () => {
    expect(formatFen(-123456)).toBe('-¥1,234.56');
    expect(formatFen(5, { symbol: false })).toBe('0.05');
    expect(fenToYuanInput(3_000_000)).toBe('30000');
    expect(fenToYuanInput(123450)).toBe('1234.5');
    expect(fenToYuanInput(null)).toBe('');
    expect(fenToYuan(123450)).toBe('1234.50');
  });
});
