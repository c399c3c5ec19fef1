import { describe, expect, it } from 'vitest';
import { countChars, languageSample, LANGUAGE_SAMPLE_CHARS, MAX_SOURCE_CHARS, sourceTooLong } from './limits';

describe('source limits', () => {
  it('counts code points like Array.from, without building an array', () => {
    for (const text of ['', 'abc', '离职面谈', 'a😀b', '😀😀', '\ud800x', 'x\udc00', '\ud83d']) expect(countChars(text), JSON.stringify(text)).toBe(Array.from(text).length);
  });

  it('names the limit in both languages only when the source is over it', () => {
    expect(sourceTooLong(MAX_SOURCE_CHARS)).toBeUndefined();
    const m = sourceTooLong(5 * 2 ** 20);
    expect(m?.en).toContain('5,242,880 characters');
    expect(m?.en).toContain(`at most ${MAX_SOURCE_CHARS.toLocaleString('en-US')} characters`);
    expect(m?.['zh-CN']).toContain('最多处理 50,000 字');
  });

  it('samples the start of a long text for language detection', () => {
    expect(languageSample('短')).toBe('短');
    expect(languageSample('字'.repeat(LANGUAGE_SAMPLE_CHARS * 3))).toHaveLength(LANGUAGE_SAMPLE_CHARS);
  });
});
