/**
 * What the end-to-end tests' models answer: the fixtures' expected records, picked by the prompt's template, so
 * the pane's parse, flags and insertion see real records. Shared by the in-page test-double engine
 * (test-engine.ts) and the company-server test (company-server.test.ts), whose OpenAI-compatible test server
 * streams the same text over HTTP.
 */
import { exitFixtures, englishExit, englishTalent, talentFixtures } from '../../shared/output/test-fixtures';

const exit = new Map(exitFixtures().map((f) => [f.id, f.text]));
const talent = talentFixtures().map((f) => f.text);

/** The record for a prompt (all messages joined); `call` rotates through the talent-review fixtures. */
export function fixtureReply(prompt: string, call: number): string {
  if (prompt.includes('【离职原因】')) {
    // E1 talks about pay reviews (调薪); everything else gets the sensitive E3 record.
    return (prompt.includes('调薪') ? exit.get('E1') : exit.get('E3')) ?? '';
  }
  if (prompt.includes('[Reasons for leaving]')) return englishExit().text;
  if (prompt.includes('【九宫格】') || /九宫格/.test(prompt)) return talent[call % talent.length] ?? '';
  return englishTalent().text;
}
