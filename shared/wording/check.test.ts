import { describe, expect, it } from 'vitest';
import { scanTerms } from '../guard';
import { applyWordingToText, checkWording, wordingComment } from './check';

const TALENT_REVIEW = [
  '张三年纪偏大,冲劲不足,性格急躁,总是在最后一天才交付。',
  '她是公司里有名的女强人,会上很强势。需要提升。',
  '离职备注:永不录用。联系电话13812345678。',
  'She is very emotional in meetings, always late, and aggressive with vendors. Needs to improve.',
];

describe('checkWording', () => {
  const check = checkWording(TALENT_REVIEW);
  const find = (before: string) => check.suggestions.find((s) => s.before === before);

  it('flags the manager remarks the issue names, each with category, reason and advice', () => {
    expect(find('年纪偏大')).toMatchObject({ paragraph: 0, category: 'AGE', kind: 'delete', after: '' });
    expect(find('冲劲不足')).toMatchObject({ category: 'NON_ACTIONABLE', kind: 'replace' });
    expect(find('性格急躁')).toMatchObject({ category: 'PERSONALITY_FEEDBACK', kind: 'replace' });
    expect(find('总是')).toMatchObject({ category: 'EXAGGERATION', after: '多次' });
    expect(find('女强人')).toMatchObject({ category: 'GENDER_STEREOTYPE', kind: 'delete' });
    expect(find('很强势')).toMatchObject({ category: 'GENDER_CODED', after: '表达意见直接' });
    expect(find('需要提升')).toMatchObject({ category: 'NON_ACTIONABLE' });
    expect(find('永不录用')).toMatchObject({ category: 'LEGAL_CONCLUSION', kind: 'delete', handler: expect.any(String) });
    expect(find('13812345678')).toMatchObject({ category: 'PERSONAL_DATA', after: '[手机号已隐去]' });
    for (const s of check.suggestions) {
      expect(s.reason.length).toBeGreaterThan(5);
      expect(s.advice.length).toBeGreaterThan(3);
      expect(TALENT_REVIEW[s.paragraph]!.slice(s.start, s.end)).toBe(s.before);
    }
  });

  it('flags the English categories with English replacements', () => {
    expect(find('very emotional')).toMatchObject({ category: 'PERSONALITY_FEEDBACK', after: '[specific reaction] in [situation]' });
    expect(find('always')).toMatchObject({ category: 'EXAGGERATION', after: 'often' });
    expect(find('aggressive')).toMatchObject({ category: 'GENDER_CODED', after: 'assertive' });
    expect(find('Needs to improve')?.after).toMatch(/^Needs to reach \[specific standard\]/);
  });

  it('changes only the flagged words', () => {
    const out = applyWordingToText(TALENT_REVIEW, check.suggestions);
    expect(out[0]).toBe('张三,在[具体任务]上主动性低于预期(写明事例),在[具体场合]中[具体行为],多次在最后一天才交付。');
    expect(out[3]).toBe('She is [specific reaction] in [situation] in meetings, often late, and assertive with vendors. Needs to reach [specific standard] in [area] by [date].');
  });

  it('does not flag specific, behaviour-focused feedback', () => {
    const r = checkWording([
      '本季度三次需求评审中有两次遗漏了验收标准,需要在下季度把遗漏率降到5%以下。',
      'In the March review she interrupted two colleagues; next quarter she will present the data first.',
      'Shows high emotional intelligence with customers.',
    ]);
    expect(r.suggestions).toEqual([]);
  });

  it('counts by category, without the text', () => {
    expect(check.counts['NON_ACTIONABLE']).toBe(3);
    expect(check.counts['EXAGGERATION']).toBe(2);
    expect(JSON.stringify(check.counts)).not.toContain('年纪');
  });

  it('gives the nth occurrence of repeated words so a text search lands on the right one', () => {
    const r = checkWording(['他总是说"总是"这个词,总是迟到。']);
    const occ = r.suggestions.filter((s) => s.before === '总是').map((s) => s.occurrence);
    expect(occ.length).toBeGreaterThan(1);
    expect(new Set(occ).size).toBe(occ.length);
  });

  it('puts category, reason and advice in the comment', () => {
    const s = find('总是')!;
    const c = wordingComment(s, 'zh');
    expect(c).toContain('绝对化表述');
    expect(c).toContain(s.reason);
    expect(c).toContain('建议:');
  });

  it('leaves the generate() guard unchanged: always / 总是 are not source alerts', () => {
    expect(scanTerms('他总是第一个到,always on time.')).toEqual([]);
  });
});
