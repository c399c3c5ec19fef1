/**
 * Sample content for the playground: synthetic exit-interview transcripts (as in the project's test fixtures)
 * and a 20-row talent-review table. All names, numbers and people are made up.
 */

export interface Sample {
  id: string;
  label: string;
  paragraphs: string[];
}

export const SAMPLES: Sample[] = [
  {
    id: 'exit-sensitive',
    label: '离职面谈（含健康/备孕/歧视指控）· Exit interview with sensitive content',
    paragraphs: [
      '离职面谈记录（原始对话）',
      'T2 员工:这半年状态不好,一直在看心理医生,医生建议先休息。',
      'T3 员工:组长当众说"女生结了婚就不适合跑外地项目",之后项目都没派给我。我们在备孕,但这跟工作有什么关系?',
      'T5 员工:之前没反映,怕影响考核。张婷也听到了。',
      'T7 员工:工作本身挺喜欢,客户也认可。出差太多倒是真的。',
      'T8 员工:希望有个匿名反映问题的渠道。',
    ],
  },
  {
    id: 'exit-reasons',
    label: '离职面谈（多个原因，含手机号）· Exit interview, several reasons',
    paragraphs: [
      '离职面谈记录（原始对话）',
      'T1 HR:今天想了解离职原因和建议。',
      'T2 员工:主要还是钱。新公司base比现在高30%左右,我这边两年才调过一次薪。',
      'T4 员工:还有晋升。P5做了快三年,去年答辩没过,也没人告诉我差在哪。',
      'T5 员工:搬家后单程通勤一个半小时,挺累的。',
      'T7 员工:同事都挺好,mentor带得很认真。就是需求变得太频繁,经常返工。',
      'T9 员工:答辩反馈能不能写清楚点?调薪节奏也可以透明些。交接有问题打我138 0013 8000。',
    ],
  },
  {
    id: 'exit-en',
    label: 'Exit interview (English notes)',
    paragraphs: [
      'Exit interview notes',
      'N1 Leaving for a competitor; base pay about 25% higher.',
      'N2 Says promotion criteria were never explained after two cycles.',
      'N3 Likes the team; the line manager cancels one-to-ones often.',
      'N4 Suggests publishing promotion criteria and keeping one-to-ones.',
    ],
  },
];

/** Header of the sample talent-review table (the last column receives the comments). */
export const TALENT_HEADER = ['姓名', '岗位', '绩效', '潜力', '关键能力', '评语'];

const ROLES = ['P7高级架构师', 'P6资深测试工程师', 'M1运营主管', 'P5数据分析师', 'P6前端工程师', 'P5产品经理', 'M2销售经理', 'P6算法工程师'];
const PERF = ['A/A-', 'B+/A', 'B/B', 'C/B', 'A/A', 'B+/B+', 'B/B+', 'A-/B+'];
const POTENTIAL = ['高', '中', '待评估', '高', '中', '高', '中', '低'];
const SKILLS = ['技术深度9/10,跨团队协作6/10', '专业能力8/10,带人意愿低', '360反馈均值3.8/5', '学习敏锐度9/10', '工程质量8/10', '需求分析7/10,沟通8/10', '客户拓展9/10,团队管理6/10', '模型调优9/10,文档6/10'];

/** 20 synthetic employees (员工01…员工20), one row each, comment column empty. */
export function talentRows(count = 20): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < count; i++) {
    const k = i % ROLES.length;
    rows.push([`员工${String(i + 1).padStart(2, '0')}`, ROLES[k] ?? '', PERF[k] ?? '', POTENTIAL[k] ?? '', SKILLS[k] ?? '', '']);
  }
  return rows;
}
