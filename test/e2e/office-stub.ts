/**
 * Test code: a stand-in for Microsoft's office.js in the browser, served at office.js's CDN URL by the task
 * pane e2e test (Playwright `page.route`). It installs the Word double (test/doubles/office-mock.ts) as the
 * `Office` and `Word` globals with a short transcript selected, and adds what the task pane entry needs on top
 * (`Office.onReady`, `Office.HostType`). `window.__wordMock` gives the test the document.
 */
import { WordMock } from '../doubles/office-mock';

const config = (window as { __LIUHEN_WORD__?: { wordApi?: string; displayLanguage?: string; cursor?: boolean } }).__LIUHEN_WORD__ ?? {};
const mock = new WordMock({
  body: [
    '离职面谈记录',
    'T1 HR:今天想了解离职原因和建议。',
    'T2 员工:主要还是钱。新公司base比现在高30%左右,我这边两年才调过一次薪。',
    'T4 员工:还有晋升。P5做了快三年,去年答辩没过,也没人告诉我差在哪。',
    'T9 员工:答辩反馈能不能写清楚点?调薪节奏也可以透明些。',
  ],
  // `cursor`: nothing selected (the cursor in the first paragraph), as when the writer opens the pane.
  selection: config.cursor ? { cursor: 0 } : { paragraphs: [1, 4] },
  displayLanguage: config.displayLanguage ?? 'zh-CN',
  ...(config.wordApi ? { wordApi: config.wordApi } : {}),
}).install();
const office = mock.office as unknown as Record<string, unknown>;
office['HostType'] = { Word: 'Word' };
office['onReady'] = (callback?: (info: { host: string; platform: string }) => void) => {
  const info = { host: 'Word', platform: 'OfficeOnline' };
  callback?.(info);
  return Promise.resolve(info);
};
(window as unknown as { __wordMock: WordMock }).__wordMock = mock;
