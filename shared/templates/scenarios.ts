/**
 * The built-in templates for the other HR scenarios the product covers (onboarding notes, performance
 * conversation records, interview feedback, job descriptions, meeting minutes), zh-CN and en, as data files.
 * load.ts validates them like every template (schema and runtime-grammar rule) into BUILTIN_TEMPLATES.
 */
import onboardingZh from './builtin/onboarding-interview.zh-CN.json';
import onboardingEn from './builtin/onboarding-interview.en.json';
import performanceZh from './builtin/performance-conversation.zh-CN.json';
import performanceEn from './builtin/performance-conversation.en.json';
import interviewZh from './builtin/interview-feedback.zh-CN.json';
import interviewEn from './builtin/interview-feedback.en.json';
import jdZh from './builtin/job-description.zh-CN.json';
import jdEn from './builtin/job-description.en.json';
import minutesZh from './builtin/meeting-minutes.zh-CN.json';
import minutesEn from './builtin/meeting-minutes.en.json';

/** The scenario template files as [file name, parsed JSON], in menu order. */
export const SCENARIO_TEMPLATE_FILES: ReadonlyArray<readonly [string, unknown]> = [
  ['onboarding-interview.zh-CN.json', onboardingZh],
  ['onboarding-interview.en.json', onboardingEn],
  ['performance-conversation.zh-CN.json', performanceZh],
  ['performance-conversation.en.json', performanceEn],
  ['interview-feedback.zh-CN.json', interviewZh],
  ['interview-feedback.en.json', interviewEn],
  ['job-description.zh-CN.json', jdZh],
  ['job-description.en.json', jdEn],
  ['meeting-minutes.zh-CN.json', minutesZh],
  ['meeting-minutes.en.json', minutesEn],
];
