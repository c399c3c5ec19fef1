/**
 * Contradicting table fields (FIELD_CONFLICT): a row that rates someone high (potential, performance) while a
 * remark about them is negative — or low while the remark praises them — cannot support a confident
 * conclusion either way. The pipeline flags it and lowers the confidences the model gave, so the writer looks
 * at the row before the record goes in.
 *
 * Deliberately small and explicit: cue lists per language, matched on the evidence the model saw (protected
 * remarks are already withheld, so a maternity note never counts as a "negative remark").
 */
import type { FieldConflict } from './types';

type Level = 'high' | 'low' | undefined;

const POTENTIAL = /潜力|potential/i;
const PERFORMANCE = /绩效|业绩|考核|performance|rating/i;
const REMARK = /备注|评价|评语|反馈|意见|点评|说明|remark|comment|note|feedback|manager|review/i;

const NEGATIVE = [
  '不足', '较弱', '偏弱', '薄弱', '欠缺', '较差', '不佳', '不达标', '未达', '未完成', '拖延', '延期', '问题较多', '消极', '抱怨', '不主动',
  '推诿', '失误', '投诉', '需改进', '待提升', '待改进', '不理想', '下滑', '不稳定', '不积极', '不配合', '差',
  'weak', 'poor', 'lacks', 'lack of', 'struggl', 'underperform', 'missed', 'late ', 'negative', 'complain', 'concern', 'below expectations',
  'needs improvement', 'unreliable', 'declin',
];
const POSITIVE = ['优秀', '突出', '出色', '卓越', '很强', '非常好', '表现好', 'excellent', 'outstanding', 'exceptional', 'strong', 'exceeds'];

/** A level from a rating cell: `高`/`high`, `低`/`low`; for grades the latest one (`C/B` → B). */
function levelOf(field: 'potential' | 'performance', value: string): Level {
  const v = value.trim();
  if (v === '') return undefined;
  if (field === 'potential') {
    if (/^(高|很高|极高|high|very high|h)\b|^高/i.test(v)) return 'high';
    if (/^(低|较低|low|l)\b|^低/i.test(v)) return 'low';
    return undefined;
  }
  const grades = v.split(/[/／,，、→>]+/).map((g) => g.trim()).filter((g) => g !== '');
  const latest = (grades[grades.length - 1] ?? '').toUpperCase();
  if (/^(S|A\+?|A-|优秀|卓越|EXCEEDS)/.test(latest)) return 'high';
  if (/^(C|D|E|不合格|待改进|BELOW)/.test(latest)) return 'low';
  return undefined;
}

function sentiment(value: string): 'negative' | 'positive' | undefined {
  const v = value.toLowerCase();
  // "没有不足" / "no concerns" read as praise, not criticism.
  if (/没有不足|无明显不足|no concerns?|no weakness/.test(v)) return 'positive';
  if (NEGATIVE.some((c) => v.includes(c))) return 'negative';
  if (POSITIVE.some((c) => v.includes(c))) return 'positive';
  return undefined;
}

/** The conflicts in a row's fields (as the model sees them). */
export function detectFieldConflicts(fields: Readonly<Record<string, string>>, language: 'zh' | 'en'): FieldConflict[] {
  const ratings: Array<{ name: string; kind: 'potential' | 'performance'; level: Level }> = [];
  const remarks: Array<{ name: string; tone: 'negative' | 'positive' }> = [];
  for (const [name, value] of Object.entries(fields)) {
    if (POTENTIAL.test(name)) ratings.push({ name, kind: 'potential', level: levelOf('potential', value) });
    else if (PERFORMANCE.test(name)) ratings.push({ name, kind: 'performance', level: levelOf('performance', value) });
    else if (REMARK.test(name)) {
      const tone = sentiment(value);
      if (tone) remarks.push({ name, tone });
    }
  }
  const out: FieldConflict[] = [];
  for (const remark of remarks) {
    const against = ratings.filter((r) => (remark.tone === 'negative' ? r.level === 'high' : r.level === 'low'));
    if (against.length === 0) continue;
    const names = against.map((r) => r.name);
    const message =
      language === 'zh'
        ? `${names.join('、')}为${remark.tone === 'negative' ? '高' : '低'},但${remark.name}的描述${remark.tone === 'negative' ? '偏负面' : '偏正面'},两者相互矛盾,请核实。`
        : `${names.join(' and ')} ${against.length > 1 ? 'are' : 'is'} ${remark.tone === 'negative' ? 'high' : 'low'}, but ${remark.name} is ${remark.tone}: check the row.`;
    out.push({ fields: [...names, remark.name], message });
  }
  return out;
}

/** Multiplies every `confidence` number in a fields value (any depth) by `factor`, rounded to two decimals. */
export function lowerConfidences(value: unknown, factor: number, depth = 0): unknown {
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => lowerConfidences(v, factor, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'confidence' && typeof v === 'number' ? Math.round(v * factor * 100) / 100 : lowerConfidences(v, factor, depth + 1);
    }
    return out;
  }
  return value;
}
