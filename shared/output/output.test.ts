import { describe, expect, it } from 'vitest';
import { parseTemplate, type Template } from '../templates';
import {
  deriveContract,
  FIELDS_KEY,
  parseOutput,
  parsePartial,
  renderFieldsLine,
  renderOutput,
  renderRecord,
  repairOutput,
  validateFields,
  codePoints,
  type OutputProblem,
} from './index';
import { englishExit, englishTalent, exitEn, exitFixtures, exitZh, talentFixtures, talentZh, type FixtureOutput } from './test-fixtures';

const E1 = exitFixtures()[0] as FixtureOutput;
const fieldsLine = (f: FixtureOutput): string => renderFieldsLine(f.template, f.fields);
const codes = (problems: OutputProblem[]): string[] => problems.map((p) => p.code);
const only = <C extends OutputProblem['code']>(problems: OutputProblem[], code: C): Array<Extract<OutputProblem, { code: C }>> =>
  problems.filter((p): p is Extract<OutputProblem, { code: C }> => p.code === code);

/** E1 with its sections replaced or reordered: [heading, body] pairs, then the fields line. */
function exitText(parts: Array<[string, string]>, fields = fieldsLine(E1)): string {
  return [...parts.flatMap(([h, b]) => [h, b]), fields].join('\n');
}
const R = E1.sections.reasons ?? '';
const X = E1.sections.experience ?? '';
const S = E1.sections.suggestions ?? '';

describe('fixtures keep the contract', () => {
  it.each(exitFixtures().map((f) => [f.id, f] as const))('exit interview %s parses OK with the zh template', (_id, f) => {
    const r = parseOutput(exitZh, f.text);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.sections).toEqual(f.sections);
    expect(r.fields).toEqual(f.fields);
  });

  it.each(talentFixtures().map((f) => [f.id, f] as const))('talent review %s parses OK with the zh template', (_id, f) => {
    const r = parseOutput(talentZh, f.text);
    expect(r.problems).toEqual([]);
    expect(r.sections).toEqual(f.sections);
    expect(r.fields).toEqual(f.fields);
  });

  it('TR3 (no succession, no nine-box cell) carries null and NOT_APPLICABLE', () => {
    const tr3 = talentFixtures().find((f) => f.id === 'TR3');
    const r = parseOutput(talentZh, tr3?.text ?? '');
    expect(r.ok).toBe(true);
    expect(r.fields).toMatchObject({ nine_box: { cell: null }, succession: { readiness: 'NOT_APPLICABLE' } });
    expect(r.sections.succession).toBe('暂无继任安排。');
  });

  it('English templates parse their own records', () => {
    for (const f of [englishExit(), englishTalent()]) {
      const r = parseOutput(f.template, f.text);
      expect(r.problems).toEqual([]);
      expect(r.sections).toEqual(f.sections);
    }
  });

  it('the canonical text is heading lines, bodies and one JSON line', () => {
    expect(E1.text.split('\n')).toEqual(['【离职原因】', R, '【在职体验】', X, '【意见建议】', S, '【结构化信息】', JSON.stringify(E1.fields)]);
  });
});

describe('broken outputs are rejected with the right problem', () => {
  it('a missing section', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', R], ['【意见建议】', S]]));
    expect(r.ok).toBe(false);
    expect(codes(r.problems)).toEqual(['missing-section']);
    expect(only(r.problems, 'missing-section')[0]).toMatchObject({ key: 'experience', heading: '【在职体验】' });
    expect(r.sections).toEqual({ reasons: R, suggestions: S });
  });

  it('a repeated section', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', R], ['【在职体验】', X], ['【离职原因】', '员工另表示通勤较远。'], ['【意见建议】', S]]));
    expect(only(r.problems, 'repeated-section')).toMatchObject([{ key: 'reasons', count: 2 }]);
    expect(r.sections.reasons).toBe(`${R}\n员工另表示通勤较远。`);
  });

  it('swapped sections', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', R], ['【意见建议】', S], ['【在职体验】', X]]));
    const wrong = only(r.problems, 'wrong-order');
    expect(wrong).toHaveLength(1);
    expect(['experience', 'suggestions']).toContain(wrong[0]?.key);
    expect(codes(r.problems)).toEqual(['wrong-order']);
  });

  it('the fields block before the sections', () => {
    const r = parseOutput(exitZh, [fieldsLine(E1), '【离职原因】', R, '【在职体验】', X, '【意见建议】', S].join('\n'));
    expect(only(r.problems, 'wrong-order')).toMatchObject([{ key: FIELDS_KEY }]);
    expect(r.fields).toEqual(E1.fields);
  });

  it('over the total limit, counted in code points', () => {
    // 150 + 110 + 90 = 350 > 300, each section within its own limit. '𠀀' is one code point, two UTF-16 units.
    const r = parseOutput(exitZh, exitText([['【离职原因】', '𠀀'.repeat(150)], ['【在职体验】', '员'.repeat(110)], ['【意见建议】', '建'.repeat(90)]]));
    expect(codes(r.problems)).toEqual(['over-limit']);
    expect(only(r.problems, 'over-limit')[0]).toMatchObject({ scope: 'total', key: 'total', chars: 350, limit: 300 });
  });

  it('over a section limit', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', '员'.repeat(161)], ['【在职体验】', X], ['【意见建议】', S]]));
    expect(only(r.problems, 'over-limit')).toMatchObject([{ scope: 'section', key: 'reasons', chars: 161, limit: 160 }]);
  });

  it.each([['好的,以下是整理后的记录:'], ['Certainly! Here is the record:']])('a preamble "%s"', (preamble) => {
    const r = parseOutput(exitZh, `${preamble}\n\n${E1.text}`);
    expect(codes(r.problems)).toEqual(['preamble']);
    expect(only(r.problems, 'preamble')[0]?.text).toBe(preamble);
    expect(r.sections).toEqual(E1.sections);
  });

  it('a Markdown-wrapped heading **【离职原因】**', () => {
    const r = parseOutput(exitZh, E1.text.replace('【离职原因】', '**【离职原因】**'));
    expect(codes(r.problems)).toEqual(['markdown']);
    expect(only(r.problems, 'markdown')[0]).toMatchObject({ key: 'reasons', line: 1, markup: '**' });
    expect(r.sections).toEqual(E1.sections);
  });

  it('Markdown bullets in a body', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', R], ['【在职体验】', X], ['【意见建议】', '- 建议晋升答辩提供书面反馈;\n- 建议提高调薪透明度。']]));
    expect(codes(r.problems)).toEqual(['markdown']);
    expect(only(r.problems, 'markdown')[0]).toMatchObject({ key: 'suggestions', line: 6, markup: '- ' });
    expect(only(r.problems, 'markdown')[0]?.message).toContain('and 1 more');
  });

  it.each([
    ['> 员工认为需求变更频繁。', '>'],
    ['• 员工认为需求变更频繁。', '•'],
    ['1. 建议晋升答辩提供书面反馈。', '1.'],
    ['员工认为**需求变更**频繁。', '**'],
    ['```', '```'],
  ])('Markdown %s', (line, markup) => {
    const r = parseOutput(exitZh, E1.text.replace(`【在职体验】\n${X}`, `【在职体验】\n${X}\n${line}`));
    expect(only(r.problems, 'markdown').map((p) => p.markup)).toContain(markup);
  });

  it('an empty section', () => {
    const r = parseOutput(exitZh, exitText([['【离职原因】', R], ['【在职体验】', ''], ['【意见建议】', S]]));
    expect(codes(r.problems)).toEqual(['empty-section']);
    expect(only(r.problems, 'empty-section')[0]?.key).toBe('experience');
  });

  it('invalid JSON', () => {
    const cut = parseOutput(exitZh, exitText([['【离职原因】', R], ['【在职体验】', X], ['【意见建议】', S]], '【结构化信息】\n{"reasons":[{"code":"COMP"'));
    expect(codes(cut.problems)).toEqual(['fields-invalid-json']);
    expect(cut.fields).toBeUndefined();
    const bad = parseOutput(exitZh, exitText([['【离职原因】', R], ['【在职体验】', X], ['【意见建议】', S]], "【结构化信息】\n{reasons: ['COMP']}"));
    expect(codes(bad.problems)).toEqual(['fields-invalid-json']);
  });

  it('an unknown reason code', () => {
    const r = parseOutput(exitZh, E1.text.replace('"COMP"', '"SALARY"'));
    expect(codes(r.problems)).toEqual(['fields-schema']);
    const p = only(r.problems, 'fields-schema')[0];
    expect(p?.path).toBe('reasons[0].code');
    expect(p?.message).toBe('reasons[0].code: "SALARY" is not one of COMP, CAREER, MGR, LOAD, CULTURE, ROLE, LOC, RELO, …');
  });

  it('confidence 1.5', () => {
    const r = parseOutput(exitZh, E1.text.replace('"confidence":0.9', '"confidence":1.5'));
    expect(only(r.problems, 'fields-schema')).toMatchObject([{ path: 'reasons[0].confidence' }]);
  });

  it('no fields at all, and a fields heading without JSON', () => {
    const none = parseOutput(exitZh, renderRecord(exitZh, E1.sections));
    expect(codes(none.problems)).toEqual(['fields-missing']);
    const empty = parseOutput(exitZh, `${renderRecord(exitZh, E1.sections)}\n【结构化信息】\n`);
    expect(codes(empty.problems)).toEqual(['fields-missing']);
  });

  it('text after the JSON line', () => {
    const r = parseOutput(exitZh, `${E1.text}\n希望以上内容对您有帮助!`);
    expect(codes(r.problems)).toEqual(['trailing-text']);
    expect(only(r.problems, 'trailing-text')[0]?.text).toBe('希望以上内容对您有帮助!');
  });

  it('chatter after the last section of a template without fields', () => {
    const noFields = withoutFields(exitEn);
    const f = englishExit();
    const r = parseOutput(noFields, `${renderRecord(noFields, f.sections)}\n\nLet me know if you need any changes.`);
    expect(codes(r.problems)).toEqual(['trailing-text']);
    expect(r.sections).toEqual(f.sections);
  });

  it('tolerant headings are recognised and reported', () => {
    const text = ['[离职原因]', R, '在职体验:', X, '【意见建议】' + S, '  【结构化信息】', JSON.stringify(E1.fields)].join('\n');
    const r = parseOutput(exitZh, text);
    expect(r.sections).toEqual(E1.sections);
    expect(r.fields).toEqual(E1.fields);
    expect(codes(r.problems)).toEqual(['heading-format', 'heading-format', 'heading-format', 'heading-format']);
    expect(only(r.problems, 'heading-format').map((p) => p.key)).toEqual(['reasons', 'experience', 'suggestions', FIELDS_KEY]);
  });

  it('full-width brackets, ## headings and English case variants', () => {
    const zh = parseOutput(exitZh, E1.text.replace('【在职体验】', '## ［在职体验］'));
    expect(zh.sections).toEqual(E1.sections);
    expect(codes(zh.problems).sort()).toEqual(['heading-format', 'markdown']);
    const f = englishExit();
    const en = parseOutput(exitEn, f.text.replace('[Suggestions]', '**SUGGESTIONS:**'));
    expect(en.sections).toEqual(f.sections);
    expect(codes(en.problems).sort()).toEqual(['heading-format', 'markdown']);
  });

  it('prose that merely starts with a heading word is not a heading', () => {
    const f = englishExit();
    const r = parseOutput(exitEn, f.text.replace('Suggests written', 'Suggestions were few. Suggests written'));
    expect(r.ok).toBe(true);
  });

  it('an unknown heading', () => {
    const r = parseOutput(exitZh, E1.text.replace('【意见建议】', '【补充说明】\n员工希望保留联系。\n【意见建议】'));
    expect(codes(r.problems)).toEqual(['unknown-heading']);
    expect(only(r.problems, 'unknown-heading')[0]).toMatchObject({ found: '【补充说明】', line: 5 });
    // Nothing is dropped: the unknown block stays in the section before it.
    expect(r.sections.experience).toBe(`${X}\n【补充说明】\n员工希望保留联系。`);
  });

  it('the JSON spread over several lines, or fenced', () => {
    const pretty = exitText([['【离职原因】', R], ['【在职体验】', X], ['【意见建议】', S]], `【结构化信息】\n\`\`\`json\n${JSON.stringify(E1.fields, null, 2)}\n\`\`\``);
    const r = parseOutput(exitZh, pretty);
    expect(r.fields).toEqual(E1.fields);
    expect(codes(r.problems).sort()).toEqual(['fields-format', 'markdown']);
  });

  it('a JSON line without its heading', () => {
    const r = parseOutput(exitZh, `${renderRecord(exitZh, E1.sections)}\n${JSON.stringify(E1.fields)}`);
    expect(codes(r.problems)).toEqual(['fields-format']);
    expect(r.fields).toEqual(E1.fields);
    expect(r.sections).toEqual(E1.sections);
  });

  it('nothing but chatter', () => {
    const r = parseOutput(exitZh, 'Sorry, I cannot help with that.');
    expect(codes(r.problems)).toEqual(['preamble', 'missing-section', 'missing-section', 'missing-section', 'fields-missing']);
    expect(r.sections).toEqual({});
  });

  it('CRLF line breaks and a BOM are read like LF', () => {
    const r = parseOutput(exitZh, `\uFEFF${E1.text.replace(/\n/g, '\r\n')}`);
    expect(r.ok).toBe(true);
  });
});

describe('repairOutput', () => {
  it('strips inline code spans with longer backtick runs in one pass (repair is idempotent on them)', () => {
    const once = repairOutput(exitZh, '【离职原因】ᚁ```json``` 与 ``代码``');
    expect(once.text).toContain('ᚁjson 与 代码');
    expect(repairOutput(exitZh, once.text).text).toBe(once.text);
  });

  it('fixes preamble, Markdown, order and an empty section with emptyText', () => {
    const broken = [
      '好的,以下是整理后的记录:',
      '',
      '```markdown',
      '**【离职原因】**',
      R,
      '## 【意见建议】',
      '',
      '### 在职体验',
      `- ${X}`,
      '```',
      '【结构化信息】',
      JSON.stringify(E1.fields),
    ].join('\n');
    const r = repairOutput(exitZh, broken);
    expect(r.problems).toEqual([]);
    expect(r.sections).toEqual({ ...E1.sections, suggestions: '员工未提出具体建议。' });
    expect(r.text).toBe(renderOutput(exitZh, r.sections, E1.fields));
    expect(r.fixed.join('\n')).toMatch(/before the first heading/);
    expect(r.fixed.join('\n')).toMatch(/template order/);
    expect(r.fixed.join('\n')).toMatch(/Filled the empty 【意见建议】/);
    expect(r.fixed.join('\n')).toMatch(/Removed Markdown \(- \) from 【在职体验】/);
    expect(r.fixed.join('\n')).toMatch(/code fences/);
  });

  it('reports what it cannot fix: over-limit text is kept whole, an unknown code stays', () => {
    const long = '员'.repeat(170);
    const r = repairOutput(exitZh, exitText([['【离职原因】', long], ['【在职体验】', X], ['【意见建议】', S]], fieldsLine(E1).replace('"COMP"', '"SALARY"')));
    expect(r.sections.reasons).toBe(long);
    expect(r.text).toContain(long);
    expect(codes(r.problems).sort()).toEqual(['fields-schema', 'over-limit']);
    expect(r.fixed).toEqual([]);
  });

  it('maps a taxonomy label or a wrong-case code to the code', () => {
    const text = E1.text.replace('"COMP"', '"薪酬福利"').replace('"CAREER"', '"career"');
    expect(codes(parseOutput(exitZh, text).problems)).toEqual(['fields-schema', 'fields-schema']);
    const r = repairOutput(exitZh, text);
    expect(r.problems).toEqual([]);
    expect(r.fields).toEqual(E1.fields);
    expect(r.fixed).toHaveLength(2);
  });

  it('maps a quoted nine-box number to the numeric code', () => {
    const tr1 = talentFixtures()[0] as FixtureOutput;
    const r = repairOutput(talentZh, tr1.text.replace('"cell":9', '"cell":"9"'));
    expect(r.problems).toEqual([]);
    expect(r.fields).toEqual(tr1.fields);
  });

  it('merges a repeated section when one copy is empty, reports it otherwise', () => {
    const merged = repairOutput(exitZh, exitText([['【离职原因】', ''], ['【离职原因】', R], ['【在职体验】', X], ['【意见建议】', S]]));
    expect(merged.problems).toEqual([]);
    expect(merged.text).toBe(E1.text);
    const both = repairOutput(exitZh, exitText([['【离职原因】', R], ['【离职原因】', '员工另表示通勤较远。'], ['【在职体验】', X], ['【意见建议】', S]]));
    expect(codes(both.problems)).toEqual(['repeated-section']);
    expect(both.text).toContain('员工另表示通勤较远。');
  });

  it('keeps a preamble that is not chatter (it may be a body without its heading)', () => {
    const r = repairOutput(exitZh, [R, '【在职体验】', X, '【意见建议】', S, fieldsLine(E1)].join('\n'));
    expect(r.text.startsWith(R)).toBe(true);
    expect(codes(r.problems).sort()).toEqual(['missing-section', 'preamble']);
  });

  it('puts multi-line JSON on one line, drops trailing commas and adds a missing fields heading', () => {
    const pretty = JSON.stringify(E1.fields, null, 2).replace(/\]\n\}$/, '],\n}');
    const r = repairOutput(exitZh, `${renderRecord(exitZh, E1.sections)}\n\`\`\`json\n${pretty}\n\`\`\`\n希望对您有帮助。`);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(E1.text);
    expect(r.fixed.join('\n')).toMatch(/trailing commas/);
    expect(r.fixed.join('\n')).toMatch(/Added the missing 【结构化信息】 heading/);
  });

  it('leaves a canonical output untouched', () => {
    for (const f of [...exitFixtures(), ...talentFixtures(), englishExit(), englishTalent()]) {
      const r = repairOutput(f.template, f.text);
      expect(r.text).toBe(f.text);
      expect(r.fixed).toEqual([]);
      expect(r.problems).toEqual([]);
    }
  });

  it('does not strip markup when that would turn a line into a heading', () => {
    const r = repairOutput(exitZh, E1.text.replace(`【在职体验】\n${X}`, `【在职体验】\n${X}\n- 【意见建议】`));
    expect(r.sections.experience).toContain('- 【意见建议】');
  });
});

describe('parsePartial', () => {
  it('follows a stream chunk by chunk and ends where parseOutput ends', () => {
    const text = E1.text;
    let previous = 0;
    for (let i = 0; i <= text.length; i++) {
      const p = parsePartial(exitZh, text.slice(0, i));
      expect(p.sections.length).toBeGreaterThanOrEqual(previous);
      previous = p.sections.length;
      for (const s of p.sections) expect(s.body).not.toMatch(/【/);
    }
    const end = parsePartial(exitZh, text);
    expect(end.inFields).toBe(true);
    expect(end.sections.map((s) => [s.key, s.body, s.complete])).toEqual([
      ['reasons', R, true],
      ['experience', X, true],
      ['suggestions', S, true],
    ]);
  });

  it('holds back a heading that is still being written', () => {
    const p = parsePartial(exitZh, `【离职原因】\n${R}\n【在职`);
    expect(p.sections).toEqual([{ key: 'reasons', heading: '【离职原因】', body: R, complete: false }]);
    expect(p.inFields).toBe(false);
    const q = parsePartial(exitZh, `【离职原因】\n${R}\n【在职体验】\n员工`);
    expect(q.sections.map((s) => [s.key, s.body, s.complete])).toEqual([
      ['reasons', R, true],
      ['experience', '员工', false],
    ]);
  });
});

describe('renderRecord and validateFields', () => {
  it('round-trips through parseOutput', () => {
    for (const f of [...exitFixtures(), ...talentFixtures()]) {
      const r = parseOutput(f.template, `${renderRecord(f.template, f.sections)}\n${fieldsLine(f)}`);
      expect(r.ok).toBe(true);
      expect(r.sections).toEqual(f.sections);
    }
  });

  it('normalises bodies and refuses unknown keys', () => {
    expect(renderRecord(exitZh, { suggestions: '  建议A \n\n 建议B ', reasons: '原因' })).toBe('【离职原因】\n原因\n【意见建议】\n建议A\n建议B');
    expect(() => renderRecord(exitZh, { reason: 'x' })).toThrow(RangeError);
  });

  it('writes fields in schema order', () => {
    const line = renderFieldsLine(exitZh, { flags: [], reasons: [{ sources: ['T1'], confidence: 1, stated: true, role: 'primary', code: 'OTHER' }] });
    expect(line).toBe('【结构化信息】\n{"reasons":[{"code":"OTHER","role":"primary","stated":true,"confidence":1,"sources":["T1"]}],"flags":[]}');
  });

  it('reports each schema violation with its path', () => {
    const problems = validateFields(exitZh, {
      reasons: [{ code: 'COMP', role: 'boss', stated: 'yes', confidence: -0.1, sources: ['T1', ''], extra: 1 }],
      flags: ['CONTRADICTION', 'CONTRADICTION', 'CONTRADICTION', 'CONTRADICTION'],
    });
    expect(problems.map((p) => (p.code === 'fields-schema' ? p.path : ''))).toEqual([
      'reasons[0].role',
      'reasons[0].stated',
      'reasons[0].confidence',
      'reasons[0].sources[1]',
      'reasons[0].extra',
      'flags',
    ]);
    expect(validateFields(exitZh, { reasons: [] })).toMatchObject([{ path: 'flags' }, { path: 'reasons' }]);
    expect(validateFields(exitZh, [])).toMatchObject([{ path: '', message: '(root): an array is not an object' }]);
  });

  it('accepts null only where the schema says nullable', () => {
    const tr3 = talentFixtures().find((f) => f.id === 'TR3') as FixtureOutput;
    expect(validateFields(talentZh, tr3.fields)).toEqual([]);
    const bad = structuredClone(tr3.fields) as { nine_box: { cell: unknown }; succession: { readiness: unknown } };
    bad.nine_box.cell = 10;
    bad.succession.readiness = null;
    expect(validateFields(talentZh, bad).map((p) => (p.code === 'fields-schema' ? p.path : ''))).toEqual(['nine_box.cell', 'succession.readiness']);
  });
});

describe('deriveContract', () => {
  it('gives the grammar as a response format and a JSON Schema of the fields', () => {
    const c = deriveContract(exitZh);
    expect(c.responseFormat).toEqual({ type: 'grammar', grammar: c.grammar });
    expect(c.grammar).toMatch(/^root ::= sec-reasons "\\n" sec-experience "\\n" sec-suggestions "\\n" fields$/m);
    expect(c.fieldsJsonSchema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['reasons', 'flags'],
      properties: {
        reasons: {
          type: 'array',
          minItems: 1,
          maxItems: 6,
          items: {
            additionalProperties: false,
            properties: {
              code: { enum: ['COMP', 'CAREER', 'MGR', 'LOAD', 'CULTURE', 'ROLE', 'LOC', 'RELO', 'FAM', 'EXT', 'STUDY', 'ORG', 'PERS-R', 'OTHER'] },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
              sources: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    });
    const talent = deriveContract(talentZh).fieldsJsonSchema as { properties: { nine_box: { properties: { cell: { enum: unknown[] } } } } };
    expect(talent.properties.nine_box.properties.cell.enum).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, null]);
    expect(deriveContract(withoutFields(exitZh)).fieldsJsonSchema).toBeUndefined();
  });

  it('budgets enough tokens for every fixture, within a small context window', () => {
    for (const f of [...exitFixtures(), ...talentFixtures(), englishExit(), englishTalent()]) {
      const { maxTokens } = deriveContract(f.template);
      expect(maxTokens).toBeGreaterThanOrEqual(codePoints(f.text));
      expect(maxTokens).toBeLessThanOrEqual(2048);
    }
    // More prose allowed, more tokens.
    expect(deriveContract({ ...exitZh, maxTotalChars: 3000 }).maxTokens).toBeGreaterThan(deriveContract(exitZh).maxTokens + 3000);
  });

  it('an English grammar keeps "[" out of bodies; a Chinese one names 【', () => {
    // "[" unescaped: 0.2.79's xgrammar rejects "\[" in a class.
    expect(deriveContract(exitEn).grammar).toMatch(/^text-char ::= \[\^[^\]]*\[[^\]]*\]$/m);
    expect(deriveContract(exitZh).grammar).toMatch(/^text-char ::= \[\^[^\]]*【[^\]]*\]$/m);
    expect(deriveContract(exitZh).grammar).not.toMatch(/^text-char ::= \[\^[^\]]*\[/m);
  });
});

/** A copy of a template without structured fields. */
function withoutFields(t: Template): Template {
  const json: Record<string, unknown> = { ...t };
  delete json.fields;
  const r = parseTemplate(json, 'test');
  if (!r.ok) throw new Error('template copy invalid');
  return r.template;
}
