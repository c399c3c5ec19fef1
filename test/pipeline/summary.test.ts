/**
 * Summaries of many inputs: the model labels, code counts. With the test-double model (keyword labelling) a
 * 1,000-answer survey goes through in passes that each fit the context window; the counts equal a tally of the
 * per-item labels the model gave (a model that writes numbers of its own changes nothing); quotes are redacted
 * and never carry protected traits or allegations; the result is an insertion plan like any record.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { estimateChatTokens } from '../../shared/engine/tokens';
import { grammarPortabilityProblems } from '../../shared/output/portable';
import { discoveryGrammar, labellingGrammar } from '../../shared/output/summary-grammar';
import { buildSummaryPlan, columnItems, splitPastedItems } from '../../shared/pipeline/summary-plan';
import { parseLabels, summarise, OTHER } from '../../shared/pipeline/summary';
import { FakeEngine } from '../doubles/fake-engine';
import { keywordTheme, surveyAnswers, surveyModel, SURVEY_THEMES } from '../fixtures/survey';
import { useRuntimeCompiler } from '../xgrammar-runtime';

const PHONE = '13912345678';

describe('summarise: 1,000 survey answers', () => {
  const answers = surveyAnswers(1000);
  let engine: FakeEngine;
  let result: Awaited<ReturnType<typeof summarise>>;
  beforeAll(async () => {
    engine = new FakeEngine({ respond: (q) => surveyModel(q), chunkSize: 64, contextWindow: 4096 });
    result = await summarise({ items: answers, engine, language: 'zh-CN' });
  }, 120_000);

  it('every request fits the context window and carries its grammar', () => {
    for (const q of engine.requests) {
      expect(estimateChatTokens(q.messages) + q.maxTokens).toBeLessThanOrEqual(4096);
      expect(q.responseFormat?.type).toBe('grammar');
    }
    expect(result.requests.discover).toBeGreaterThanOrEqual(1);
    expect(result.requests.label).toBe(Math.ceil(result.labelled / 40));
    expect(engine.callCount).toBe(result.requests.discover + result.requests.merge + result.requests.label);
  });

  it('finds the themes, and counts are a tally of the per-item labels', () => {
    expect(result.total).toBe(1000);
    expect(result.discovered).toBe(true);
    expect(result.themes.map((t) => t.code).sort()).toEqual([...SURVEY_THEMES.map((t) => t.code), OTHER].sort());
    const tally = new Map<string, number>();
    for (const l of result.labels) if (l !== null) tally.set(l, (tally.get(l) ?? 0) + 1);
    for (const t of result.themes) expect(t.count, t.code).toBe(tally.get(t.code));
    expect(result.themes.reduce((n, t) => n + t.count, 0)).toBe(result.labelled);
    expect(result.labelled + result.referred).toBe(1000);
    // Largest first; the biggest bank (pay) leads.
    expect(result.themes[0]?.code).toBe('PAY');
    const counts = result.themes.map((t) => t.count);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it('labels are the ones the model gave, item by item', () => {
    const codes = result.themes.map((t) => t.code);
    let compared = 0;
    result.labels.forEach((label, i) => {
      if (label === null || answers[i]!.includes('产假')) return;
      expect(label).toBe(keywordTheme(answers[i]!, codes));
      compared += 1;
    });
    expect(compared).toBeGreaterThan(900);
  });

  it('allegations are referred, not summarised; protected traits and phone numbers never reach a prompt or a quote', () => {
    expect(result.referred).toBe(answers.filter((a) => a.includes('性骚扰')).length);
    const prompts = engine.requests.flatMap((q) => q.messages.map((m) => m.content)).join('\n');
    expect(prompts).not.toContain(PHONE);
    expect(prompts).not.toContain('性骚扰');
    expect(prompts).not.toContain('产假');
    const quotes = result.themes.flatMap((t) => t.quotes);
    expect(quotes.length).toBeGreaterThanOrEqual(result.themes.length);
    for (const q of quotes) {
      expect(q).not.toContain(PHONE);
      expect(q).not.toMatch(/产假|性骚扰/);
    }
    for (const t of result.themes) expect(t.quotes.length).toBeLessThanOrEqual(2);
  });

  it('becomes an insertion plan: totals, then one block per theme with count, share and quotes', () => {
    const plan = buildSummaryPlan(result, { kind: 'after-anchor', anchor: 'a' });
    expect(plan.blocks[0]?.heading).toBe('【调研汇总】');
    expect(plan.blocks[0]?.paragraphs[0]).toContain(`共1000条,归为${result.themes.length}个主题`);
    expect(plan.blocks[0]?.paragraphs[0]).toContain(`另有${result.referred}条涉及需转交核实的事项`);
    const pay = result.themes[0]!;
    expect(plan.blocks[1]?.heading).toBe(`薪酬福利(${pay.count}条,${Math.round(pay.share * 1000) / 10}%)`);
    expect(plan.blocks[1]?.paragraphs).toEqual(pay.quotes.map((q) => `“${q}”`));
  });
});

describe('summarise: what the model says about counts does not matter', () => {
  it('numbers or extra lines in the model answer change nothing; only one label per item counts', async () => {
    const items = ['调薪太慢', '晋升不透明', '加班太多', '调薪机制不清楚'];
    const themes = [{ code: 'PAY', label: '薪酬' }, { code: 'CAREER', label: '晋升' }, { code: 'WORKLOAD', label: '负荷' }];
    // A model that answers with invented totals and repeated lines.
    const engine = new FakeEngine({ outputs: ['PAY=999\n1=PAY\n1=CAREER\n2=CAREER\n3=WORKLOAD\n4=PAY\nTOTAL=1000\n'] });
    const r = await summarise({ items, engine, language: 'zh-CN', themes });
    expect(r.requests).toEqual({ discover: 0, merge: 0, label: 1 });
    expect(r.themes.map((t) => [t.code, t.count])).toEqual([['PAY', 2], ['CAREER', 1], ['WORKLOAD', 1]]);
  });

  it('an item the model skipped is asked again, then counted as OTHER', async () => {
    const engine = new FakeEngine({ outputs: ['1=PAY\n', '1=PAY\n'] });
    const r = await summarise({ items: ['调薪太慢', '没有意见'], engine, language: 'zh-CN', themes: [{ code: 'PAY', label: '薪酬' }] });
    expect(engine.callCount).toBe(2);
    expect(r.themes.map((t) => [t.code, t.count])).toEqual([['PAY', 2]]);
    const engine2 = new FakeEngine({ outputs: ['1=PAY\n', ''] });
    const r2 = await summarise({ items: ['调薪太慢', '没有意见'], engine: engine2, language: 'zh-CN', themes: [{ code: 'PAY', label: '薪酬' }] });
    expect(r2.themes.map((t) => [t.code, t.count])).toEqual([['PAY', 1], [OTHER, 1]]);
  });

  it('parseLabels keeps the first valid label per line number only', () => {
    expect(parseLabels('1=PAY\n1=CAREER\n3=NOPE\n2=CAREER\n', 3, new Set(['PAY', 'CAREER']))).toEqual(['PAY', 'CAREER', undefined]);
  });
});

describe('summary inputs', () => {
  it('pasted answers split by line, or by blank lines when answers span lines; list markers removed', () => {
    expect(splitPastedItems('1. 调薪慢\n2、晋升难\n- 加班多\n')).toEqual(['调薪慢', '晋升难', '加班多']);
    expect(splitPastedItems('调薪慢,\n希望透明\n\n晋升难')).toEqual(['调薪慢, 希望透明', '晋升难']);
  });
  it('a selected table column becomes the items (empty cells skipped)', () => {
    expect(columnItems([{ fields: { 意见: '调薪慢' } }, { fields: { 意见: '' } }, { fields: { 意见: '加班多' } }], '意见')).toEqual(['调薪慢', '加班多']);
  });
});

describe('summary grammars on the WebLLM runtime path', () => {
  const rt = useRuntimeCompiler();

  it('labelling: exactly one valid code per numbered line, in order', async () => {
    const g = labellingGrammar(['PAY', 'CAREER', 'OTHER'], 3);
    expect(grammarPortabilityProblems(g)).toEqual([]);
    (await rt.compiler.compileGrammar(g)).dispose();
    const grammar = await rt.xg.Grammar.fromEBNF(g);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, '1=PAY\n2=OTHER\n3=CAREER\n')).toBe(true);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, '1=PAY\n2=OTHER\n')).toBe(false);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, '1=PAY\n3=OTHER\n2=CAREER\n')).toBe(false);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, '1=PAY\n2=SALARY\n3=CAREER\n')).toBe(false);
    grammar.dispose();
  });

  it('discovery: 1..max CODE|label lines', async () => {
    const g = discoveryGrammar(3);
    expect(grammarPortabilityProblems(g)).toEqual([]);
    (await rt.compiler.compileGrammar(g)).dispose();
    const grammar = await rt.xg.Grammar.fromEBNF(g);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, 'PAY|薪酬福利\nCAREER|晋升发展\n')).toBe(true);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, 'A|a\nB|b\nC|c\nD|d\n')).toBe(false);
    expect(await rt.xg.Testings.isGrammarAcceptString(grammar, 'pay|薪酬\n')).toBe(false);
    grammar.dispose();
  });
});
