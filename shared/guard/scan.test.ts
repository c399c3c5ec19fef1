import { describe, expect, it } from 'vitest';
import { guardText } from './guard';
import { scanTerms } from './scan';
import { builtinTermSet, parseTermSet, BUILTIN_TERM_SOURCES } from './terms';
import type { GuardAction } from './types';

interface Case {
  text: string;
  flag: string;
  /** The matched text must contain this. */
  match: string;
}

/** Sensitive wording in both languages, one per category and action. */
const CASES: Record<GuardAction, { zh: Case[]; en: Case[] }> = {
  BLOCK: {
    zh: [
      { text: '我们在备孕,想换个轻松点的工作', flag: 'BLOCK:FAMILY_PLANNING', match: '备孕' },
      { text: '她去年休产假,回来后状态一般', flag: 'BLOCK:MATERNITY', match: '产假' },
      { text: '年纪大了学新东西慢', flag: 'BLOCK:AGE', match: '年纪大' },
      { text: '他东北人,性格比较直', flag: 'BLOCK:REGION_STEREOTYPE', match: '东北人' },
      { text: '一直在看心理医生', flag: 'BLOCK:HEALTH', match: '心理医生' },
      { text: '他是回族,饮食上有要求', flag: 'BLOCK:ETHNICITY', match: '回族' },
    ],
    en: [
      { text: 'We are trying for a baby, so I need less travel', flag: 'BLOCK:FAMILY_PLANNING', match: 'trying for a baby' },
      { text: 'She was on maternity leave for most of the year', flag: 'BLOCK:MATERNITY', match: 'maternity' },
      { text: 'He is 58 years old and slow to learn', flag: 'BLOCK:AGE', match: '58 years old' },
      { text: 'I have been seeing a therapist since spring', flag: 'BLOCK:HEALTH', match: 'therapist' },
      { text: 'Women are not suited for client travel', flag: 'BLOCK:GENDER_STEREOTYPE', match: 'Women are not suited' },
      { text: 'He uses a wheelchair', flag: 'BLOCK:DISABILITY', match: 'wheelchair' },
    ],
  },
  WARN: {
    zh: [
      { text: '她性格强势,不好合作', flag: 'WARN:VAGUE_LABEL', match: '性格强势' },
      { text: '听说他下个月也要走', flag: 'WARN:HEARSAY', match: '听说' },
      { text: '跟刘洋一起做的项目', flag: 'THIRD_PARTY_NAME', match: '刘洋' },
    ],
    en: [
      { text: 'She is too emotional in meetings', flag: 'WARN:VAGUE_LABEL', match: 'too emotional' },
      { text: 'Apparently the whole team is leaving', flag: 'WARN:HEARSAY', match: 'Apparently' },
      { text: 'Mr Smith approved the transfer', flag: 'THIRD_PARTY_NAME', match: 'Mr Smith' },
    ],
  },
  ESCALATE: {
    zh: [
      { text: '被领导性骚扰了好几次', flag: 'ESCALATE:HARASSMENT', match: '性骚扰' },
      { text: '之前没反映,怕影响考核', flag: 'ESCALATE:RETALIATION_FEAR', match: '怕影响考核' },
      { text: '我准备去申请劳动仲裁', flag: 'ESCALATE:LITIGATION', match: '劳动仲裁' },
      { text: '这种人永不录用', flag: 'ESCALATE:LEGAL_CONCLUSION', match: '永不录用' },
      { text: '组长说"女生结了婚就不适合跑外地"', flag: 'ESCALATE:GENDER_MARITAL_ALLEGATION', match: '女生结了婚就不适合' },
    ],
    en: [
      { text: 'My manager harassed me after the offsite', flag: 'ESCALATE:HARASSMENT', match: 'harassed' },
      { text: 'I was passed over because I was pregnant', flag: 'ESCALATE:DISCRIMINATION', match: 'because I was pregnant' },
      { text: "I'm going to talk to a lawyer about this", flag: 'ESCALATE:LITIGATION', match: 'lawyer' },
      { text: 'I was afraid it would affect my review', flag: 'ESCALATE:RETALIATION_FEAR', match: 'affect my review' },
      { text: 'He said women are not suited for travel', flag: 'ESCALATE:GENDER_MARITAL_ALLEGATION', match: 'women are not suited' },
    ],
  },
};

const hasHan = (s: string): boolean => /[\u4e00-\u9fff]/.test(s);

describe('scanTerms: BLOCK / WARN / ESCALATE in Chinese and English', () => {
  for (const [action, byLang] of Object.entries(CASES) as Array<[GuardAction, { zh: Case[]; en: Case[] }]>) {
    for (const lang of ['zh', 'en'] as const) {
      for (const c of byLang[lang]) {
        it(`${lang} ${c.flag}: ${c.text}`, () => {
          const hits = scanTerms(c.text);
          const hit = hits.find((h) => h.flag === c.flag);
          expect(hit, JSON.stringify(hits.map((h) => [h.flag, h.match]))).toBeDefined();
          if (!hit) return;
          expect(hit.action).toBe(action);
          expect(hit.match).toContain(c.match);
          expect(c.text.slice(hit.start, hit.end)).toBe(hit.match);
          // Message and suggested rewrite in the text's language.
          expect(hasHan(hit.message)).toBe(lang === 'zh');
          expect(hit.rewrite, 'a suggested rewrite').toBeTruthy();
          expect(hasHan(hit.rewrite ?? '')).toBe(lang === 'zh');
        });
      }
    }
  }

  it('gives messages and rewrites in the requested language, whatever the text', () => {
    const zhText = scanTerms('我们在备孕', { language: 'en' })[0];
    expect(zhText?.message).toMatch(/protected/);
    expect(hasHan(zhText?.rewrite ?? '')).toBe(false);
    const enText = scanTerms('She was on maternity leave', { language: 'zh' })[0];
    expect(hasHan(enText?.message ?? '')).toBe(true);
  });

  it('does not flag ordinary wording', () => {
    for (const text of [
      '爸妈年纪大了,想回成都照顾', // a reason about parents' age is not the employee's age
      '同事都挺好,mentor带得很认真',
      '新公司base比现在高30%左右',
      'The team met its targets and the client renewed',
      'She led the migration and mentored two new hires',
    ]) {
      expect(scanTerms(text), text).toEqual([]);
    }
  });

  it('does not flag neutral record sentences (zh and en)', () => {
    const neutral = [
      '员工因薪酬竞争力不足离职,已获外部offer。', '员工对直属上级的辅导评价正面,反映跨部门协作流程较长。', '建议优化晋升答辩的反馈机制,提供书面意见。',
      '员工表示工作强度较大,连续三个月加班。', '该员工技术深度突出,主导了支付系统重构。', '绩效连续两期为A,具备承担更大范围职责的潜力。',
      '员工提及通勤时间较长,希望公司考虑弹性工作制。', '员工在项目复盘中主动承担责任。', '员工计划回老家发展,已与新单位签约。',
      '员工表示公司调整组织架构后岗位职责变化较大。', '该员工沟通直接,评审中能指出关键风险。', '员工离职前完成了全部交接,电脑已归还。',
      '员工认可公司的技术氛围,但认为薪资低于市场水平。', '员工表示家庭原因需要回成都。', '公司为员工办理了离职证明。',
      'The employee is leaving for a role with higher pay.', 'He suggested clearer feedback after promotion reviews.',
      'The employee mentioned a long commute after moving house.', 'Strong technical depth; led the payments migration.',
      'Ready for a wider scope within one to two years.', 'He handled the handover thoroughly and returned his laptop.',
      'She owns the quality programme and mentors new testers.', 'The employee said the reorganisation changed her role.',
      'He is moving back to his home city to be closer to family.', 'She reported that one-to-ones were often cancelled.',
    ];
    for (const text of neutral) expect(guardText(text).hits.map((h) => `${h.flag}[${h.match}]`), text).toEqual([]);
  });

  it('does not flag business idioms and technical words that contain a sensitive term', () => {
    for (const text of [
      '她负责代码复查和质量复查',
      '我相信主管的判断,相信主要原因是钱',
      '他很自信主动',
      '相信教练的安排,不知道教什么',
      '这个项目流产了,收购计划最终流产',
      '老板拿我们部门开刀',
      'Led the hospitality account for two years',
      'She quickly diagnoses production issues and built diagnostics tooling',
      'Shows high emotional intelligence',
      'Implemented lazy loading for the dashboard',
      'Works on the fraud detection team',
    ]) {
      expect(scanTerms(text).map((h) => `${h.flag}[${h.match}]`), text).toEqual([]);
    }
  });

  it('still flags the sensitive reading of those words', () => {
    const cases: Array<[string, string]> = [
      ['她刚做完手术,要去医院复查', 'BLOCK:HEALTH'],
      ['他上个月开过刀', 'BLOCK:HEALTH'],
      ['她流产了,需要休息', 'BLOCK:MATERNITY'],
      ['他信教,周五要做礼拜', 'BLOCK:RELIGION'],
      ['她信佛', 'BLOCK:RELIGION'],
      ['She was diagnosed with cancer', 'BLOCK:HEALTH'],
      ['He was in hospital for a week', 'BLOCK:HEALTH'],
      ['hospitalised in May', 'BLOCK:HEALTH'],
      ['She is lazy', 'WARN:VAGUE_LABEL'],
      ['He is too emotional', 'WARN:VAGUE_LABEL'],
      ['He committed fraud', 'ESCALATE:LEGAL_CONCLUSION'],
    ];
    for (const [text, flag] of cases) expect(scanTerms(text).map((h) => h.flag), text).toContain(flag);
  });

  it('returns hits sorted and non-overlapping, the more severe action winning an overlap', () => {
    const text = '组长当众说"女生结了婚就不适合跑外地项目",我们在备孕,张婷也听到了';
    const hits = scanTerms(text);
    for (let i = 1; i < hits.length; i++) expect(hits[i]?.start).toBeGreaterThanOrEqual(hits[i - 1]?.end ?? 0);
    // 结了婚 is a marital-status term, but inside the reported remark the allegation (ESCALATE) wins.
    expect(hits.find((h) => h.match.includes('结了婚'))?.action).toBe('ESCALATE');
  });

  it('can turn off name detection', () => {
    expect(scanTerms('跟刘洋一起做的项目', { detectNames: false })).toEqual([]);
  });
});

describe('guardText', () => {
  it('lists distinct flags, the most severe action first', () => {
    const g = guardText('她性格强势。之前没反映,怕影响考核。一直在看心理医生。她性格强势。');
    expect(g.flags).toEqual(['ESCALATE:RETALIATION_FEAR', 'BLOCK:HEALTH', 'WARN:VAGUE_LABEL']);
  });

  it('gives English messages for an English text that contains Chinese-looking personal data', () => {
    const g = guardText('The employee said she is too emotional; reach her at 13800138000.');
    expect(g.redacted.text).toContain('[phone removed]');
    expect(g.hits[0]?.message).toMatch(/vague/);
  });
});

describe('term data', () => {
  it('the built-in term data compiles', () => {
    expect(builtinTermSet().terms.length).toBeGreaterThan(100);
    expect(parseTermSet(BUILTIN_TERM_SOURCES).ok).toBe(true);
  });

  it('every term, scanned alone, is found under its own category (no term is shadowed by its own exceptions)', () => {
    const set = builtinTermSet();
    const unreachable = set.terms
      .filter((t) => !scanTerms(t.text, { detectNames: false }).some((h) => h.category === t.category && h.start === 0 && h.end >= t.text.length))
      .map((t) => `${t.category}: ${t.text}`);
    expect(unreachable).toEqual([]);
  });

  it('every category has a bilingual message and rewrite, and terms or patterns in both languages', () => {
    const set = builtinTermSet();
    for (const [name, info] of set.categories) {
      expect(hasHan(info.message.zh), name).toBe(true);
      expect(hasHan(info.message.en), name).toBe(false);
      expect(info.rewrite?.zh && hasHan(info.rewrite.zh), `${name} zh rewrite`).toBe(true);
      expect(info.rewrite?.en && !hasHan(info.rewrite.en), `${name} en rewrite`).toBe(true);
      if (name === 'THIRD_PARTY_NAME') continue; // detected from names.json, not from term lists
      const words = [...set.terms.filter((t) => t.category === name).map((t) => t.text), ...set.patterns.filter((p) => p.category === name || p.reportedCategory === name).map((p) => p.regex.source)];
      expect(words.some(hasHan), `${name}: Chinese terms`).toBe(true);
      expect(words.some((w) => /^[\x20-\x7e]+$/.test(w) && /[a-z]/i.test(w)), `${name}: English terms`).toBe(true);
    }
  });

  it('reports problems in a company term file with the file and the field', () => {
    const r = parseTermSet({
      ...BUILTIN_TERM_SOURCES,
      termFiles: [
        ...BUILTIN_TERM_SOURCES.termFiles,
        { file: 'acme.json', json: { language: 'zh', terms: [{ category: 'NO_SUCH', terms: ['x'] }], patterns: [{ category: 'HEALTH', pattern: '(' }] } },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContain('acme.json: terms.0.category: unknown category NO_SUCH');
    expect(r.problems.some((p) => p.startsWith('acme.json: patterns.0.pattern:'))).toBe(true);
  });

  it('a company can add its own terms without code changes', () => {
    const r = parseTermSet({
      ...BUILTIN_TERM_SOURCES,
      termFiles: [...BUILTIN_TERM_SOURCES.termFiles, { file: 'acme.json', json: { language: 'zh', terms: [{ category: 'VAGUE_LABEL', terms: ['内卷王'] }] } }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(scanTerms('他是个内卷王', { termSet: r.termSet }).map((h) => h.flag)).toEqual(['WARN:VAGUE_LABEL']);
    expect(scanTerms('他是个内卷王').map((h) => h.flag)).toEqual([]);
  });
});

describe('names outside the built-in cues', () => {
  const names = (text: string): string[] => scanTerms(text).filter((h) => h.category === 'THIRD_PARTY_NAME').map((h) => h.match);

  it('lone and full English names, nicknames, diminutives, double surnames, role words and speaker labels', () => {
    expect(names('Priya was great to work with.')).toEqual(['Priya']);
    expect(names('I reported to Michael Brown for two years.')).toEqual(['Michael Brown']);
    expect(names('Ask Kevin about the budget.')).toEqual(['Kevin']);
    expect(names('阿强经常帮我。')).toEqual(['阿强']);
    expect(names('老李人挺好的。')).toEqual(['老李']);
    expect(names('令狐平是我师傅。')).toEqual(['令狐平']);
    expect(names('记者王晓东报道')).toEqual(['王晓东']);
    expect(names('张德彪表示不同意。')).toEqual(['张德彪']);
    expect(names('刘芳:我不同意。')).toEqual(['刘芳']);
  });

  it('ordinary words that look like those names are not names', () => {
    expect(names('阿姨每天来打扫。')).toEqual([]);
    expect(names('Will you send it? May is busy for the team.')).toEqual([]);
    expect(names('小周末加班了。')).toEqual([]);
    expect(names('The roadmap review is on 12 May.')).toEqual([]);
    expect(names('公司表示会调整。')).toEqual([]);
  });
});
