import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Template } from '../templates';
import { parseOutput, parsePartial, renderOutput, repairOutput } from './index';
import { exitEn, exitFixtures, exitZh, talentZh, type FixtureOutput } from './test-fixtures';

const E1 = exitFixtures()[0] as FixtureOutput;
const templates = [exitZh, exitEn, talentZh];
/** A template by index, so that a failing case prints a number rather than a whole template. */
const anyTemplate = fc.integer({ min: 0, max: templates.length - 1 });
const pick = (i: number): Template => templates[i] ?? exitZh;

/** Pieces a model output is made of, and ways it goes wrong: headings in every variant, JSON bits, Markdown. */
const fragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '【离职原因】', '【在职体验】', '【意见建议】', '【结构化信息】', '**【离职原因】**', '## 在职体验', '[意见建议]', '离职原因:', '【补充】',
    '[Reasons for leaving]', '[Suggestions]', '[Structured data]', '【九宫格定位】', '【优势】', '【继任与准备度】',
    '{', '}', '[', ']', '"', '\\', '{"reasons":[', '{"reasons":[{"code":"COMP","role":"primary","stated":true,"confidence":0.9,"sources":["T2"]}],"flags":[]}',
    '```', '```json', '- ', '* ', '1. ', '> ', '**', '__', '`', '#', '\r\n', '\n', '\n\n', '\u3000', '\uFEFF', '\uD800', '𠀀',
    '好的,以下是整理后的记录:', 'Certainly! Here is the record:', '希望以上内容对您有帮助。', 'Let me know if you need anything else.',
    E1.text,
  ),
);
const adversarial = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));
const adversarialLines = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join('\n'));
const anyInput = fc.oneof(adversarial, adversarialLines, fc.string({ unit: 'binary', maxLength: 400 }));

/** Characters repair may remove from a body: Markdown markup, list numbers and spacing. */
const MARKUP = /[\s*_`#>\-+•·●▪◦.)）、．0-9]/gu;
const content = (s: string): string => s.replace(MARKUP, '');
function isSubsequence(needle: string, haystack: string): boolean {
  const h = Array.from(haystack);
  let i = 0;
  for (const ch of needle) {
    while (i < h.length && h[i] !== ch) i++;
    if (i === h.length) return false;
    i++;
  }
  return true;
}

describe('never throws', () => {
  it('parseOutput, repairOutput and parsePartial on random and adversarial text', () => {
    fc.assert(
      fc.property(anyTemplate, anyInput, (i, text) => {
        const t = pick(i);
        const parsed = parseOutput(t, text);
        expect(parsed.ok).toBe(parsed.problems.length === 0);
        expect(parsed.problems.filter((p) => p.code === 'internal-error')).toEqual([]);
        const repaired = repairOutput(t, text);
        expect(repaired.problems.filter((p) => p.code === 'internal-error')).toEqual([]);
        expect(typeof repaired.text).toBe('string');
        const partial = parsePartial(t, text);
        expect(Array.isArray(partial.sections)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on every prefix of a stream', () => {
    fc.assert(
      fc.property(adversarialLines, (text) => {
        for (let i = 0; i <= text.length; i += 7) parsePartial(exitZh, text.slice(0, i));
      }),
      { numRuns: 50 },
    );
  });

  it('on inputs that are not strings', () => {
    for (const bad of [undefined, null, 42, {}, ['【离职原因】']]) {
      expect(parseOutput(exitZh, bad as unknown as string).ok).toBe(false);
      expect(repairOutput(exitZh, bad as unknown as string).problems.length).toBeGreaterThan(0);
      expect(parsePartial(exitZh, bad as unknown as string).sections).toEqual([]);
    }
  });

  it('on huge inputs, in reasonable time', () => {
    const huge = [
      '{'.repeat(200_000),
      '['.repeat(100_000) + ']'.repeat(100_000),
      `【结构化信息】\n${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      `【离职原因】\n${'员'.repeat(300_000)}`,
      Array.from({ length: 20_000 }, (_, i) => ['【离职原因】', '**【在职体验】**', '- x', '{"a":1}'][i % 4]).join('\n'),
      `${E1.text}\n`.repeat(2_000),
      '*'.repeat(100_000),
      `【离职原因】\n${'*a'.repeat(50_000)}`,
    ];
    for (const text of huge) {
      const start = performance.now();
      parseOutput(exitZh, text);
      repairOutput(exitZh, text);
      parsePartial(exitZh, text);
      expect(performance.now() - start).toBeLessThan(5_000);
    }
  });

  it('parsePartial is cheap enough to call on every chunk', () => {
    const text = `${E1.text}\n`.repeat(20);
    const start = performance.now();
    for (let i = 0; i < 200; i++) parsePartial(exitZh, text);
    expect((performance.now() - start) / 200).toBeLessThan(5);
  });
});

describe('repair never loses body text', () => {
  it('every non-markup character of each parsed body survives repair, in order', () => {
    fc.assert(
      fc.property(anyTemplate, anyInput, (i, text) => {
        const t = pick(i);
        const before = parseOutput(t, text).sections;
        const after = repairOutput(t, text).sections;
        for (const [key, body] of Object.entries(before)) {
          expect(isSubsequence(content(body), content(after[key] ?? ''))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyTemplate, anyInput, (i, text) => {
        const t = pick(i);
        const once = repairOutput(t, text);
        const twice = repairOutput(t, once.text);
        expect(twice.text).toBe(once.text);
        expect(twice.problems).toEqual(once.problems);
      }),
      { numRuns: 200 },
    );
  });
});

// Body text from characters that carry no markup and never make a heading or chatter.
const SAFE = Array.from('员工薪酬晋升通道反馈调整团队氛围认可返工需求变更频繁内部岗位评估流程沟通资源支持客户项目出差渠道匿名透明标准书面具体导师辅导评价正面较多，。；');
const line = fc.array(fc.constantFrom(...SAFE), { minLength: 1, maxLength: 20 }).map((cs) => cs.join(''));
const body = fc.array(line, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('\n'));

/** How a model might dress a heading up, and a body line. */
const headingStyle = fc.constantFrom(
  (h: string) => h,
  (h: string) => `**${h}**`,
  (h: string) => `## ${h}`,
  (h: string) => `[${h.slice(1, -1)}]`,
  (h: string) => `${h.slice(1, -1)}:`,
  (h: string) => ` ${h} `,
  (h: string) => `### **${h.slice(1, -1)}**`,
);
const lineStyle = fc.constantFrom(
  (l: string) => l,
  (l: string) => `- ${l}`,
  (l: string) => `* ${l}`,
  (l: string) => `**${l}**`,
  (l: string) => `> ${l}`,
  (l: string) => `\`${l}\``,
);

describe('repair restores a dressed-up record exactly', () => {
  it('headings, Markdown, order, blank lines, fences, chatter', () => {
    fc.assert(
      fc.property(
        fc.record({ reasons: body, experience: body, suggestions: body }),
        fc.array(headingStyle, { minLength: 4, maxLength: 4 }),
        lineStyle,
        fc.constantFrom([0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1]),
        fc.boolean(),
        fc.constantFrom('', '好的,以下是整理后的记录:', 'Certainly! Here is the record:'),
        fc.constantFrom('', '希望以上内容对您有帮助。', 'Let me know if you need anything else.'),
        (sections, styles, style, order, fenced, preamble, trailer) => {
          const keys = ['reasons', 'experience', 'suggestions'] as const;
          const blocks = order.map((i) => {
            const key = keys[i] ?? 'reasons';
            const heading = exitZh.sections[i]?.heading ?? '';
            return [(styles[i] ?? ((h: string) => h))(heading), ...sections[key].split('\n').map(style), ''].join('\n');
          });
          const json = `${(styles[3] ?? ((h: string) => h))('【结构化信息】')}\n${JSON.stringify(E1.fields)}`;
          let text = [preamble, ...blocks, json].join('\n');
          if (fenced) text = `\`\`\`markdown\n${text}\n\`\`\``;
          if (trailer) text += `\n${trailer}`;
          const r = repairOutput(exitZh, text);
          expect(r.sections).toEqual(sections);
          expect(r.fields).toEqual(E1.fields);
          expect(r.problems).toEqual([]);
          expect(r.text).toBe(renderOutput(exitZh, sections, E1.fields));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('repair keeps list numbers', () => {
  // Was: "1. " was stripped like a bullet, so the model's numbering was lost. Now it is kept as （1）.
  it('numbered lines ("1." "2、" "3)") come back with their numbers as （n）, nothing else changed', () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 3 }), fc.constantFrom('.', '、', ')', '）'), (lines, punct) => {
        const items = lines.flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '');
        fc.pre(items.length > 0);
        const numbered = items.map((l, i) => `${i + 1}${punct} ${l}`).join('\n');
        const text = `【离职原因】\n${numbered}\n【在职体验】\n${E1.sections['experience'] ?? ''}\n【意见建议】\n${E1.sections['suggestions'] ?? ''}\n【结构化信息】\n${JSON.stringify(E1.fields)}`;
        const r = repairOutput(exitZh, text);
        expect(r.sections['reasons']).toBe(items.map((l, i) => `（${i + 1}）${l.trim()}`).join('\n'));
        expect(repairOutput(exitZh, r.text).text).toBe(r.text);
      }),
      { numRuns: 200 },
    );
  });
});

describe('render and parse agree', () => {
  it('parseOutput(renderOutput(sections, fields)) gives the sections and fields back', () => {
    fc.assert(
      fc.property(
        fc.record({ reasons: body, experience: body, suggestions: body }),
        fc.array(
          fc.record({
            code: fc.constantFrom('COMP', 'CAREER', 'MGR', 'PERS-R'),
            role: fc.constantFrom('primary', 'secondary', 'trigger'),
            stated: fc.boolean(),
            confidence: fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
            sources: fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ''), { maxLength: 4 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (sections, reasons) => {
          const fields = { reasons, flags: [] };
          const t: Template = exitZh;
          const r = parseOutput(t, renderOutput(t, sections, fields));
          expect(r.problems).toEqual([]);
          expect(r.sections).toEqual(sections);
          expect(r.fields).toEqual(fields);
        },
      ),
      { numRuns: 200 },
    );
  });
});
