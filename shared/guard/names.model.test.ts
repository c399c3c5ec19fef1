import { describe, expect, it } from 'vitest';
import { parseTermSet, BUILTIN_TERM_SOURCES } from './terms';
import { scanTerms } from './index';
import { NameDataSchema, NameModelSchema, compileNames, findNames, type NameModel } from './names';
import namesJson from './terms/names.json';
import nameModelJson from './terms/name-model.json';

const names = (s: string): string[] =>
  scanTerms(s, { language: 'zh' })
    .filter((h) => h.category === 'THIRD_PARTY_NAME')
    .map((h) => s.slice(h.start, h.end));

describe('statistical name model (terms/name-model.json)', () => {
  it('finds names with no title or cue word, which the rules alone miss', () => {
    const withoutModel = compileNames(NameDataSchema.parse(namesJson));
    for (const [s, name] of [
      ['金秀贤出演了新剧。', '金秀贤'],
      ['昨天孙志刚提交了报告。', '孙志刚'],
    ] as const) {
      expect(findNames(withoutModel, s).map((h) => s.slice(h.start, h.end))).not.toContain(name);
      expect(names(s)).toEqual([name]);
    }
  });

  it('leaves ordinary words that start with a surname character alone', () => {
    for (const s of ['王国的发展很快。', '我们高兴地完成了目标。', '公司在黄金周期间加班。', '本季度销售额增长明显，客户反馈良好。', '他负责华东区的市场推广。']) {
      expect(names(s)).toEqual([]);
    }
  });

  it('is data a company can extend: more counts for a surname make its names found', () => {
    const model: NameModel = NameModelSchema.parse(nameModelJson);
    const s = '昨天蒯立伟提交了报告。';
    const base = compileNames(NameDataSchema.parse(namesJson), model);
    expect(findNames(base, s)).toEqual([]);
    const extended = compileNames(NameDataSchema.parse(namesJson), { ...model, surnames: { ...model.surnames, 蒯: 400 } });
    expect(findNames(extended, s).map((h) => s.slice(h.start, h.end))).toEqual(['蒯立伟']);
  });

  it('an invalid model is reported with its file name, not thrown', () => {
    const r = parseTermSet({ ...BUILTIN_TERM_SOURCES, nameModel: { threshold: 'high' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.some((p) => p.startsWith('name-model.json: threshold'))).toBe(true);
  });
});
