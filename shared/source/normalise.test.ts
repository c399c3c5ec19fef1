import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessInformation, contentOf, detectLowInformation, normaliseSource, renderTurn } from './index';
import type { NormalisedSource, TextSourceKind } from './index';

interface ExitCase {
  id: string;
  kind: TextSourceKind;
  source: string;
  expected: { reasons: Array<{ sources: string[] }>; redactions?: Array<{ source: string }>; flags: string[] };
}
const exitCases = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/exit-interviews.json', import.meta.url)), 'utf8')) as {
    cases: ExitCase[];
  }
).cases;

const ids = (src: NormalisedSource): string[] => src.turns.map((t) => t.id);

describe('normaliseSource on the exit-interview fixtures', () => {
  it('keeps the written T/N ids, gaps included', () => {
    const byId = new Map(exitCases.map((c) => [c.id, normaliseSource(c.source, c.kind)]));
    expect(ids(byId.get('E1')!)).toEqual(['T1', 'T2', 'T4', 'T5', 'T7', 'T9']);
    expect(ids(byId.get('E2')!)).toEqual(['T2', 'T4', 'T5', 'T6', 'T7', 'T9', 'T10']);
    expect(ids(byId.get('E3')!)).toEqual(['T2', 'T3', 'T5', 'T7', 'T8']);
    expect(ids(byId.get('E4')!)).toEqual(['N1', 'N2', 'N3', 'N4', 'N5']);
  });

  it.each(exitCases.map((c) => [c.id, c] as const))('%s: every cited source exists, speakers and text are read', (_, c) => {
    const src = normaliseSource(c.source, c.kind);
    const known = new Set(ids(src));
    for (const reason of c.expected.reasons) for (const s of reason.sources) expect(known).toContain(s);
    for (const r of c.expected.redactions ?? []) expect(known).toContain(r.source);
    // Each line of the fixture is one turn whose text is the line without its label.
    const lines = c.source.split('\n');
    expect(src.turns).toHaveLength(lines.length);
    src.turns.forEach((turn, i) => {
      expect(c.source.slice(turn.start, turn.end)).toBe(turn.text);
      expect(lines[i]?.endsWith(turn.text)).toBe(true);
    });
    expect(src.text.split('\n')).toHaveLength(lines.length);
  });

  it('reads speakers of E1 and leaves E4 notes unlabelled (no `交接` speaker)', () => {
    const e1 = normaliseSource(exitCases.find((c) => c.id === 'E1')!.source, 'transcript');
    expect(e1.turns[0]).toMatchObject({ id: 'T1', speaker: 'interviewer', speakerLabel: 'HR', text: '今天想了解离职原因和建议。' });
    expect(e1.turns[1]).toMatchObject({ id: 'T2', speaker: 'employee', speakerLabel: '员工' });
    expect(e1.text.split('\n')[1]).toBe('T2 员工: 主要还是钱。新公司base比现在高30%左右,我这边两年才调过一次薪。');
    const e4 = normaliseSource(exitCases.find((c) => c.id === 'E4')!.source, 'notes');
    expect(e4.turns[4]).toEqual({ id: 'N5', text: '交接:电脑已还,身份证230102199108172034复印件已收', start: e4.turns[4]!.start, end: e4.turns[4]!.end });
    expect(e4.text.split('\n')[0]).toBe('N1: 去字节,钱多');
  });

  it('flags E4 as low information and E1–E3 as not', () => {
    for (const c of exitCases) {
      const low = detectLowInformation(normaliseSource(c.source, c.kind));
      expect(low, c.id).toBe(c.expected.flags.includes('LOW_INFORMATION'));
    }
  });
});

describe('normaliseSource label forms', () => {
  it('accepts full-width colons, CRLF, NBSP, zero-width characters and a BOM', () => {
    const src = normaliseSource('\ufeffT3 员工：\u00a0钱\u200b少。\r\nT4 HR： 还有呢？  \r\n', 'transcript');
    expect(src.turns.map((t) => [t.id, t.speakerLabel, t.text])).toEqual([
      ['T3', '员工', '钱少。'],
      ['T4', 'HR', '还有呢？'],
    ]);
    expect(src.text).toBe('T3 员工: 钱少。\nT4 HR: 还有呢？');
  });

  it('reads speaker-only transcripts (English) and generates T ids, with multi-line turns', () => {
    const input = 'Interviewer: Why are you leaving?\nEmployee: Mostly pay.\n  The offer is 20% higher.\nInterviewer: Anything else?\nEmployee: The commute.';
    const src = normaliseSource(input, 'transcript');
    expect(src.turns.map((t) => [t.id, t.speaker, t.text])).toEqual([
      ['T1', 'interviewer', 'Why are you leaving?'],
      ['T2', 'employee', 'Mostly pay. The offer is 20% higher.'],
      ['T3', 'interviewer', 'Anything else?'],
      ['T4', 'employee', 'The commute.'],
    ]);
    const t2 = src.turns[1]!;
    expect(input.slice(t2.start, t2.end)).toBe('Mostly pay.\n  The offer is 20% higher.');
  });

  it('joins a hard-wrapped Chinese turn without inserting spaces', () => {
    const src = normaliseSource('员工:主要是\n钱的问题,\n   还有 mentor\n不错', 'transcript');
    expect(src.turns).toHaveLength(1);
    expect(src.turns[0]!.text).toBe('主要是钱的问题,还有 mentor不错');
  });

  it('reads Q:/A:, 问/答 and numbered or bulleted lines', () => {
    expect(normaliseSource('Q: why?\nA: pay\nQ2: more?\nA2: no', 'transcript').turns.map((t) => t.speaker)).toEqual([
      'interviewer', 'employee', 'interviewer', 'employee',
    ]);
    expect(normaliseSource('问：原因？\n答：薪资', 'transcript').turns.map((t) => [t.speaker, t.text])).toEqual([
      ['interviewer', '原因？'],
      ['employee', '薪资'],
    ]);
    const notes = normaliseSource('1. 去字节\n2、钱多\n   交接完成\n(3) 老板一般\n一、团队还行\n- 不想多说\n• 电脑已还', 'notes');
    expect(notes.turns.map((t) => [t.id, t.text])).toEqual([
      ['N1', '去字节'],
      ['N2', '钱多交接完成'],
      ['N3', '老板一般'],
      ['N4', '团队还行'],
      ['N5', '不想多说'],
      ['N6', '电脑已还'],
    ]);
  });

  it('makes each line a turn when nothing is labelled, and skips blank lines', () => {
    const src = normaliseSource('去字节,钱多\n\n  不想多说  \n\u200b\n老板一般', 'notes');
    expect(src.turns.map((t) => [t.id, t.text])).toEqual([
      ['N1', '去字节,钱多'],
      ['N2', '不想多说'],
      ['N3', '老板一般'],
    ]);
    expect(src.text).toBe('N1: 去字节,钱多\nN2: 不想多说\nN3: 老板一般');
  });

  it('does not take text for labels: negative numbers, decimals, N95, one-off colons in notes', () => {
    const src = normaliseSource('- 绩效 -5%\n-5% 是去年\n1.5天没来\nN95口罩\n交接: 已完成', 'notes');
    expect(src.turns.map((t) => t.text)).toEqual(['绩效 -5% -5% 是去年1.5天没来N95口罩交接: 已完成']);
    expect(normaliseSource('原因: 钱\n其他: 无', 'notes').turns.every((t) => t.speakerLabel === undefined)).toBe(true);
  });

  it('recognises a repeated unknown speaker name in transcripts, not a one-off', () => {
    const src = normaliseSource('王经理: 你好\n张三: 我想走\n王经理: 为什么\n张三: 钱\n备注: 无', 'transcript');
    expect(src.turns.map((t) => [t.speaker, t.speakerLabel, t.text])).toEqual([
      ['other', '王经理', '你好'],
      ['other', '张三', '我想走'],
      ['other', '王经理', '为什么'],
      // `备注:` labels one line only: it is text, continuing the turn before it.
      ['other', '张三', '钱备注: 无'],
    ]);
    expect(normaliseSource('王经理: 你好\n张三: 我想走', 'transcript').turns.every((t) => t.speakerLabel === undefined)).toBe(true);
  });

  it('numbers a preamble T0, a speaker-only turn after the previous id, and never reuses a written id', () => {
    const src = normaliseSource('离职面谈记录\n2024-05-01\nT1 HR: 原因?\n员工: 钱\nT2 HR: 还有?\nT2 员工: 没了', 'transcript');
    expect(src.turns.map((t) => [t.id, t.text])).toEqual([
      ['T0', '离职面谈记录2024-05-01'],
      ['T1', '原因?'],
      ['T3', '钱'],
      ['T2', '还有?'],
      ['T4', '没了'],
    ]);
    expect(new Set(ids(src)).size).toBe(src.turns.length);
  });

  it('accepts bracketed ids, ids glued to a speaker, and ids with an empty text', () => {
    const src = normaliseSource('[T1] HR: a\n【T2】员工: b\nT3员工:c\nT5 员工:\n  continued', 'transcript');
    expect(src.turns.map((t) => [t.id, t.speakerLabel, t.text])).toEqual([
      ['T1', 'HR', 'a'],
      ['T2', '员工', 'b'],
      ['T3', '员工', 'c'],
      ['T5', '员工', 'continued'],
    ]);
    expect(normaliseSource('T7 员工:', 'transcript').text).toBe('T7 员工:');
  });

  it('renders a turn canonically', () => {
    expect(renderTurn({ id: 'T2', speakerLabel: '员工', text: '钱 ' })).toBe('T2 员工: 钱');
    expect(renderTurn({ id: 'N1', text: 'a\nb' })).toBe('N1: a b');
    expect(renderTurn({ id: 'N1', text: '' })).toBe('N1:');
  });

  it('returns no turns for empty or blank input', () => {
    expect(normaliseSource('', 'notes')).toEqual({ kind: 'notes', turns: [], text: '', input: '' });
    expect(normaliseSource(' \n\u200b\r\n\t', 'transcript').turns).toEqual([]);
  });
});

describe('detectLowInformation', () => {
  it('is true for refusals, a few words, or an interviewer talking alone', () => {
    expect(detectLowInformation(normaliseSource('HR: 为什么离职?\n员工: 不想多说。\nHR: 对团队呢?\n员工: 不方便说', 'transcript'))).toBe(true);
    expect(detectLowInformation(normaliseSource('N1: left for money\nN2: no comment\nN3: team ok', 'notes'))).toBe(true);
    expect(detectLowInformation(normaliseSource('HR: 今天聊聊离职原因、在职体验和建议,请尽量具体说明,越详细越好,谢谢配合。', 'transcript'))).toBe(true);
    expect(detectLowInformation(normaliseSource('', 'notes'))).toBe(true);
  });

  it('is false for a substantive English interview', () => {
    const src = normaliseSource(
      'Interviewer: Why are you leaving?\nEmployee: Better pay elsewhere, and the commute is long.\n' +
        'Employee: My manager was supportive but priorities changed every sprint.\nEmployee: I would suggest clearer promotion criteria and written feedback.',
      'transcript',
    );
    expect(assessInformation(src)).toMatchObject({ low: false, respondentTurns: 3, substantiveTurns: 3, refusalTurns: 0 });
  });

  it('is true when refusals dominate a long transcript', () => {
    const src = normaliseSource(
      '员工: 新公司给的薪资更高,而且离家近很多,通勤省了一个小时。\n员工: 不想多说\n员工: 无可奉告\n员工: 不想多说了\n员工: 没什么好说的',
      'transcript',
    );
    expect(assessInformation(src)).toMatchObject({ low: true, refusalTurns: 4 });
  });
});

// --- properties ---------------------------------------------------------------------------------------

/** Pieces that exercise the label grammar, separators and invisible characters. */
const tricky = fc.constantFrom(
  'T1 ', 'T3 员工:', 'T3 员工：', 'N2 ', '[T2]', '【N3】', 'T12员工:', 'HR：', 'HR:', 'Q:', 'A1:', '问:', 'Interviewer:', 'Employee: ',
  '王经理:', 'Jane Doe:', '1.', '1、', '(1)', '（2）', '一、', '- ', '• ', '* ', '-5%', '1.5', 'N95', ':', '：', '\r\n', '\n', '\r',
  '\u000b', '\f', '\u2028', '\u0085', '\u200b', '\u00a0', '\u3000', '\ufeff', '\u0007', ' ', '\t', '😀', '\ud800', '钱', '。', 'ok. ',
  'http://x', '交接:', '不想多说',
);
const adversarial = fc
  .array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ maxLength: 8 })), { maxLength: 40 })
  .map((parts) => parts.join(''));
const kinds = fc.constantFrom<TextSourceKind>('transcript', 'notes');

/** Content characters of a dropped label (loose: marker, id, up to 30 characters and a colon). */
const LABEL_CONTENT =
  /^(?:[•●○◦▪▫■□◆◇►▶‣⁃・·*+–-]|[(（]?(?:\d{1,3}|[一二三四五六七八九十]{1,3})[.．、)）])?(?:\[?【?[TN]\d{1,6}\]?】?)?(?:[^:：︰﹕]{0,30}[:：︰﹕])?$/u;

describe('normaliseSource properties', () => {
  it('never throws, keeps turns in order, and drops nothing but labels, whitespace and invisibles', () => {
    fc.assert(
      fc.property(adversarial, kinds, (input, kind) => {
        const src = normaliseSource(input, kind);
        let previousEnd = 0;
        for (const turn of src.turns) {
          expect(turn.start).toBeGreaterThanOrEqual(previousEnd);
          expect(turn.end).toBeGreaterThanOrEqual(turn.start);
          expect(turn.end).toBeLessThanOrEqual(input.length);
          // The turn's text holds exactly the content of its span in the input.
          expect(contentOf(turn.text)).toBe(contentOf(input.slice(turn.start, turn.end)));
          // Between two turns, each line's content is only a label.
          for (const line of input.slice(previousEnd, turn.start).split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/)) {
            expect(contentOf(line)).toMatch(LABEL_CONTENT);
          }
          previousEnd = turn.end;
        }
        for (const line of input.slice(previousEnd).split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/)) {
          expect(contentOf(line)).toMatch(LABEL_CONTENT);
        }
        // The rendering holds every turn, one line each, and ids are unique.
        expect(src.text.split('\n')).toHaveLength(src.turns.length === 0 ? 1 : src.turns.length);
        expect(new Set(ids(src)).size).toBe(src.turns.length);
        src.turns.forEach((turn, i) => expect(src.text.split('\n')[i]).toBe(renderTurn(turn)));
      }),
      { numRuns: 400 },
    );
  });

  it('is idempotent: the rendering normalises to the same turns', () => {
    fc.assert(
      fc.property(adversarial, kinds, (input, kind) => {
        const once = normaliseSource(input, kind);
        const twice = normaliseSource(once.text, kind);
        const shape = (s: NormalisedSource) => s.turns.map((t) => [t.id, t.speaker, t.speakerLabel, t.text]);
        expect(shape(twice)).toEqual(shape(once));
        expect(twice.text).toBe(once.text);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps written ids and texts of a generated labelled transcript exactly', () => {
    const body = fc
      .array(fc.constantFrom('钱', '晋升', '通勤', '团队', ',', '。', 'base', ' ', '30%', '？', '"', '…'), { minLength: 1, maxLength: 12 })
      .map((p) => p.join('').trim())
      .filter((t) => t !== '' && !/^[-*+]/.test(t));
    const turn = fc.record({ gap: fc.integer({ min: 1, max: 3 }), speaker: fc.constantFrom('员工', 'HR', 'Employee', '面谈人'), body, colon: fc.constantFrom(':', '：') });
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (turns, eol) => {
        let n = 0;
        const lines = turns.map((t) => {
          n += t.gap;
          return { id: `T${n}`, line: `T${n} ${t.speaker}${t.colon}${t.body}`, t };
        });
        const src = normaliseSource(lines.map((l) => l.line).join(eol), 'transcript');
        expect(src.turns.map((t) => [t.id, t.speakerLabel, contentOf(t.text)])).toEqual(
          lines.map((l) => [l.id, l.t.speaker, contentOf(l.t.body)]),
        );
      }),
    );
  });
});
