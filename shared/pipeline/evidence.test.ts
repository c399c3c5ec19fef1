/**
 * The guard as the pipeline applies it: what the model may see (allegations and protected traits withheld,
 * the handler named), what the record gets (the neutral escalation line), and the output checked like the input.
 */
import { describe, expect, it } from 'vitest';
import { exitEn, exitZh, talentZh } from '../output/test-fixtures';
import { detectFieldConflicts } from './conflicts';
import { checkOutput, escalationLine, prepareEvidence } from './evidence';

describe('prepareEvidence: allegations are withheld, not summarised', () => {
  it('an allegation sentence never reaches the prompt; the turn says a matter was removed; the handler is named', () => {
    const text = '员工:工作内容还可以。\n员工:我已经请了律师,准备申请劳动仲裁。\n员工:主要是通勤太远。';
    const e = prepareEvidence(exitZh, { kind: 'transcript', text });
    expect(e.promptSource.text).not.toContain('律师');
    expect(e.promptSource.text).not.toContain('仲裁');
    expect(e.promptSource.text).toContain('通勤太远');
    expect(e.escalations).toEqual(['员工关系/法务部门']);
    expect(e.withheld.find((w) => w.reasons.includes('ESCALATE:LITIGATION'))?.handlers).toEqual(['员工关系/法务部门']);
  });

  it('variants of 永不录用 and English allegations are withheld too', () => {
    for (const s of ['这种人永 不 录 用。', '建议永不錄用。', '列入不可再雇佣名单。', '不予以录用。']) {
      const e = prepareEvidence(exitZh, { kind: 'notes', text: `离职原因:个人发展。${s}` });
      expect(e.promptSource.text, s).not.toMatch(/录\s*用|錄用|雇佣/);
    }
    const en = prepareEvidence(exitEn, { kind: 'notes', text: 'Left for a better offer. After I complained they demoted me. He is a whistleblower.' });
    expect(en.promptSource.text).not.toMatch(/complained|whistleblower/);
    expect(en.escalations.length).toBeGreaterThan(0);
  });

  it('a negative remark in a withheld cell still raises FIELD_CONFLICT against a high rating', () => {
    const e = prepareEvidence(talentZh, {
      kind: 'table-row',
      header: ['姓名', '岗位', '绩效', '潜力', '上级评价'],
      fields: { 姓名: '员工A', 岗位: '工程师', 绩效: 'A', 潜力: '高', 上级评价: '休完产假后交付多次延期,执行力较弱' },
      rowIndex: 1,
    });
    expect(e.fields?.['上级评价']).toBeUndefined();
    expect(e.conflictFields?.['上级评价']).not.toContain('产假');
    expect(detectFieldConflicts(e.conflictFields ?? {}, 'zh').length).toBe(1);
  });
});

describe('checkOutput: the output gets the input guard', () => {
  const sections = (body: string): Record<string, string> => ({ reasons: body, experience: '员工认可团队氛围。', suggestions: '无。' });

  it('personal data the model writes is replaced and sent to review', () => {
    const c = checkOutput(exitZh, sections('员工可通过13812345678联系,身份证号110105194912310029。'));
    expect(c.sections['reasons']).not.toMatch(/13812345678|110105194912310029/);
    expect(c.review).toContain('personal-data');
    expect(c.flags).toEqual(expect.arrayContaining(['OUTPUT_PII:CN_MOBILE']));
  });

  it('markup is stripped and flagged; protected traits and legal conclusions send the record to review', () => {
    const c = checkOutput(exitZh, sections('员工因个人原因离职<script>alert(1)</script><img src=x onerror="steal()"><a href="javascript:go()">链接</a>'));
    expect(c.sections['reasons']).not.toMatch(/<|script|onerror|javascript:/i);
    expect(c.review).toContain('markup');
    expect(checkOutput(exitZh, sections('员工怀孕后状态下滑。')).review).toContain('blocked-terms');
    expect(checkOutput(exitZh, sections('建议永不錄用。')).review).toContain('escalation');
    expect(checkOutput(exitEn, { reasons: 'Never to rehire: he is 58 and in poor health.' }).review).toEqual(expect.arrayContaining(['escalation', 'blocked-terms']));
  });

  it('an output in the wrong language for the template is flagged', () => {
    const c = checkOutput(exitZh, sections('The employee left for a better offer and a shorter commute to the office.'));
    expect(c.flags).toContain('LANGUAGE_MISMATCH');
    expect(c.review).toContain('language-mismatch');
    expect(checkOutput(exitZh, sections('员工因通勤距离较远离职,对团队评价积极。')).review).toEqual([]);
  });

  it('the neutral escalation line goes after the last written section and is itself clean', () => {
    const c = checkOutput(exitZh, sections('员工因个人发展离职。'), ['员工关系/法务部门']);
    const line = escalationLine('zh', ['员工关系/法务部门']);
    expect(c.sections['suggestions']).toBe(`无。\n${line}`);
    expect(c.hits).toEqual([]);
    expect(checkOutput(exitZh, { reasons: line }).hits).toEqual([]);
    expect(checkOutput(exitEn, { reasons: escalationLine('en', ['employee relations / legal']) }).hits).toEqual([]);
  });
});
