// @vitest-environment jsdom
/**
 * Component tests of the panel (React + Fluent UI in jsdom) with the real pipeline, the FakeEngine double and an
 * in-memory host: what the writer sees and what reaches the document.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/engine/errors';
import type { LlmEngine, LoadProgress } from '../../shared/engine/port';
import { englishExit, exitFixtures } from '../../shared/output/test-fixtures';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import { FakeEngine } from '../doubles/fake-engine';
import { MemoryHost } from './memory-host';
import { NO_GPU } from '../doubles/gpu';
import { installJsdomShims } from './jsdom-shims';
import { renderPanel, type RenderPanelOptions } from './render-panel';

const fixtures = new Map(exitFixtures().map((f) => [f.id, f]));
const sources = new Map((exitJson.cases as Array<{ id: string; source: string }>).map((c) => [c.id, c.source]));
const E3 = { source: sources.get('E3') ?? '', output: fixtures.get('E3')?.text ?? '', sections: fixtures.get('E3')?.sections ?? {} };
const E1 = { source: sources.get('E1') ?? '', output: fixtures.get('E1')?.text ?? '' };

beforeEach(installJsdomShims);
afterEach(() => cleanup());

function setup(options: RenderPanelOptions<MemoryHost, LlmEngine> = {}) {
  return renderPanel({ output: E3.output, ...options });
}

const generateButton = (): HTMLButtonElement => screen.getByTestId('generate');

// jsdom + Fluent render slowly on a busy CI machine; the assertions wait on what the writer would see, not on time.
describe('panel: single record', { timeout: 40_000 }, () => {
  it('generates from the live selection, streams sections, shows flags before anything is inserted, inserts after acknowledging', async () => {
    const { host } = setup();
    // zh-CN from the host's display language.
    await screen.findByText('当前选中内容');
    expect(generateButton().disabled).toBe(true);
    act(() => host.select(E3.source));
    await screen.findByText(`已选中 ${Array.from(E3.source).length} 个字符`);
    await waitFor(() => expect(generateButton().disabled).toBe(false));

    fireEvent.click(generateButton());
    // Streaming preview (aria-live) before the final record.
    const streaming = await screen.findByTestId('preview-streaming');
    expect(streaming.getAttribute('aria-live')).toBe('polite');
    await waitFor(() => expect(streaming.querySelector('[data-section]')).not.toBeNull());

    const flags = await screen.findByTestId('flags', {}, { timeout: 10_000 });
    for (const f of ['BLOCK:HEALTH', 'BLOCK:FAMILY_PLANNING', 'ESCALATE:GENDER_MARITAL_ALLEGATION']) {
      expect(flags.querySelector(`[data-flag="${f}"]`), f).not.toBeNull();
    }
    expect(host.applied).toHaveLength(0);
    const final = screen.getByTestId('preview-final');
    for (const body of Object.values(E3.sections)) expect(final.textContent).toContain(body.split('\n')[0]);

    // Review is required: Insert is disabled until the writer ticks the acknowledgement.
    const insert: HTMLButtonElement = screen.getByTestId('insert');
    expect(insert.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('我已查看这些提示'));
    await waitFor(() => expect(insert.disabled).toBe(false));
    fireEvent.click(insert);
    await screen.findByTestId('insert-done');
    expect(host.applied).toHaveLength(1);
    const plan = host.applied[0]?.[0];
    expect(plan?.target).toEqual({ kind: 'after-anchor', anchor: 'sel-1' });
    expect(plan?.blocks.map((b) => b.heading)).toEqual(['【离职原因】', '【在职体验】', '【意见建议】']);
    // The audit trail was stored once, without the source text.
    expect(host.audit).toHaveLength(1);
    expect(JSON.stringify(host.audit)).not.toContain('心理医生');
  });

  it('redactions are reported by type and count, never by value', async () => {
    const { host } = setup({ engine: new FakeEngine({ outputs: [E1.output], chunkSize: 12 }) });
    act(() => host.select(E1.source));
    await waitFor(() => expect(generateButton().disabled).toBe(false));
    fireEvent.click(generateButton());
    const redactions = await screen.findByTestId('redactions', {}, { timeout: 10_000 });
    expect(redactions.querySelector('[data-redaction="CN_MOBILE"]')?.textContent).toContain('1 × 手机号');
    expect(document.body.textContent).not.toContain('138 0013 8000');
  });

  it('without tracked changes it says so and offers copy instead of inserting', async () => {
    const host = new MemoryHost({ name: 'Word', suggestions: false, suggestionsUnavailableReason: 'Word 2019 supports WordApi 1.3 only', comments: false, tables: false, displayLanguage: 'en-US' });
    const copied: string[] = [];
    setup({ host, engine: new FakeEngine({ outputs: [englishExit().text], chunkSize: 12 }), deps: { copyText: (t) => Promise.resolve(void copied.push(t)) } });
    await screen.findByText('Current selection');
    // Said before the writer generates anything.
    const warning = await screen.findByTestId('no-suggestions');
    expect(warning.textContent).toContain('WordApi 1.3');
    act(() => host.select(E1.source));
    // The source is Chinese; this writer wants the English record.
    fireEvent.change(screen.getByTestId('template'), { target: { value: 'exit-interview@en' } });
    await waitFor(() => expect(generateButton().disabled).toBe(false));
    fireEvent.click(generateButton());
    await screen.findByTestId('preview-final', {}, { timeout: 10_000 });
    expect(screen.queryByTestId('insert')).toBeNull();
    fireEvent.click(screen.getByTestId('copy'));
    await screen.findByText(/Copied/);
    expect(copied[0]).toContain('[Reasons for leaving]');
    // The copy is in the trail: AI text left the pane.
    await waitFor(() => expect(host.audit.map((r) => r.event)).toEqual(['copied']));
    expect(host.audit[0]?.text).toBe(copied[0]);
  });

  it('cancel stops generation, inserts nothing and keeps the pasted notes', async () => {
    const { host } = setup({ engine: new FakeEngine({ outputs: [E3.output], tokenDelayMs: 30 }) });
    await screen.findByText('粘贴的笔记');
    fireEvent.click(screen.getByLabelText('粘贴的笔记'));
    const box: HTMLTextAreaElement = await screen.findByPlaceholderText('在此粘贴面谈记录或您的笔记。');
    fireEvent.change(box, { target: { value: E3.source } });
    await waitFor(() => expect(generateButton().disabled).toBe(false));
    fireEvent.click(generateButton());
    await screen.findByTestId('cancel');
    fireEvent.click(screen.getByTestId('cancel'));
    await screen.findByText(/已取消/);
    expect(host.applied).toHaveLength(0);
    expect((screen.getByPlaceholderText('在此粘贴面谈记录或您的笔记。') as HTMLTextAreaElement).value).toBe(E3.source);
  });

  it('a failed model download shows the engine message; pressing Generate again retries', async () => {
    const fake = new FakeEngine({ outputs: [E1.output], chunkSize: 12 });
    let attempts = 0;
    const engine: LlmEngine = {
      load: (id: string, onProgress?: (p: LoadProgress) => void) => {
        attempts += 1;
        onProgress?.({ fraction: 0.3, phase: 'downloading', loadedBytes: 300 * 2 ** 20, totalBytes: 900 * 2 ** 20, secondsLeft: 42, text: '' });
        return attempts === 1 ? Promise.reject(new EngineError('network', { url: 'https://huggingface.co/x' })) : fake.load(id);
      },
      contextWindow: () => fake.contextWindow(),
      generate: (r) => fake.generate(r),
      isCached: () => Promise.resolve(false),
      deleteCached: () => Promise.resolve(),
    };
    const { host } = setup({ engine });
    act(() => host.select(E1.source));
    await screen.findByText(/尚未下载/);
    await waitFor(() => expect(generateButton().disabled).toBe(false));
    fireEvent.click(generateButton());
    // The reason is said once, in the model area; under Generate the writer is pointed there.
    const reason = await screen.findByTestId('model-error');
    expect(reason.textContent).toBe(new EngineError('network', { url: 'https://huggingface.co/x' }).userMessage('zh-CN'));
    expect((await screen.findByTestId('run-error')).textContent).toContain('见上方模型区域');
    expect(screen.getAllByText(new EngineError('network', { url: 'https://huggingface.co/x' }).userMessage('zh-CN'))).toHaveLength(1);
    // The message names the button that is there, and "the first Generate downloads it" is gone.
    expect(reason.textContent).toContain('“下载/加载模型”');
    expect(screen.getByRole('button', { name: '下载/加载模型' })).toBeTruthy();
    expect(screen.queryByText(/尚未下载/)).toBeNull();
    fireEvent.click(generateButton());
    await screen.findByTestId('preview-final', {}, { timeout: 10_000 });
    expect(attempts).toBe(2);
  });

  it('download progress shows size and time left', async () => {
    let release: () => void = () => undefined;
    const engine: LlmEngine = {
      load: (_id, onProgress) => {
        onProgress?.({ fraction: 0.25, phase: 'downloading', loadedBytes: 400 * 2 ** 20, totalBytes: 1600 * 2 ** 20, secondsLeft: 120, text: 'Fetching param cache[3/20]' });
        return new Promise<void>((resolve) => (release = resolve));
      },
      contextWindow: () => 4096,
      generate: (r) => new FakeEngine({ outputs: [E1.output], chunkSize: 12 }).generate(r),
      isCached: () => Promise.resolve(false),
      deleteCached: () => Promise.resolve(),
    };
    setup({ engine });
    fireEvent.click(await screen.findByText('下载/加载模型'));
    const progress = await screen.findByTestId('model-progress');
    expect(progress.textContent).toBe('25% · 正在下载 · 400 MB / 1.6 GB · 剩余约 2 分钟');
    expect(screen.getByRole('progressbar')).toBeTruthy();
    act(() => release());
    await screen.findByText('已加载');
  });

  it('no WebGPU: explains why and does not offer Generate', async () => {
    const { host } = setup({ gpu: NO_GPU });
    act(() => host.select(E1.source));
    const status = await screen.findByTestId('model-status');
    await waitFor(() => expect(status.getAttribute('data-phase')).toBe('unavailable'));
    expect(within(status).getByText('此处无法运行模型。')).toBeTruthy();
    expect(generateButton().disabled).toBe(true);
  });

  it('the writer can switch the UI language', async () => {
    setup();
    await screen.findByText('当前选中内容');
    fireEvent.change(screen.getByLabelText('语言'), { target: { value: 'en' } });
    await screen.findByText('Current selection');
    expect(generateButton().textContent).toBe('Generate');
  });

  it('malformed output: says nothing usable was written, offers no insert, keeps the raw text', async () => {
    const { host } = setup({ engine: new FakeEngine({ outputs: ['好的，我来帮你整理一下。'] }) });
    act(() => host.select(E1.source));
    await waitFor(() => expect(generateButton().disabled).toBe(false));
    fireEvent.click(generateButton());
    await screen.findByTestId('nothing-usable', {}, { timeout: 10_000 });
    expect((screen.getByTestId('insert') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('raw').textContent).toContain('我来帮你整理');
    expect(screen.getByTestId('problems').querySelector('[data-problem]')).not.toBeNull();
    expect(screen.getByTestId('regenerate')).toBeTruthy();
  });
});

describe('panel: company models', { timeout: 40_000 }, () => {
  it('shows the problems of the company registry file in the model area', async () => {
    setup({ deps: { registryProblems: ['model-records.json: [0] model: must be an absolute https URL'] } });
    const box = await screen.findByTestId('registry-problems', {}, { timeout: 10_000 });
    expect(box.textContent).toContain('部分公司模型未能加入');
    expect(box.textContent).toContain('model-records.json: [0] model: must be an absolute https URL');
  });

  it('shows the problems of the company template files under the template picker, naming the file', async () => {
    setup({ deps: { locale: 'en', templateProblems: ['acme.json: grammar: its output grammar would be rejected by the WebLLM runtime (grammar line 3: an unpaired surrogate)'] } });
    const box = await screen.findByTestId('template-problems', {}, { timeout: 10_000 });
    expect(box.textContent).toContain('Some company templates could not be added (templates.json):');
    expect(box.textContent).toContain('acme.json: grammar: its output grammar would be rejected by the WebLLM runtime');
  });
});

describe('panel: template language', { timeout: 40_000 }, () => {
  it('defaults to the template in the language of the selected text, whatever the UI language, until the writer picks one', async () => {
    const { host } = setup({ deps: { locale: 'en' } });
    await screen.findByText('Current selection', {}, { timeout: 10_000 });
    const picker = (): HTMLSelectElement => screen.getByTestId('template') as unknown as HTMLSelectElement;
    expect(picker().value).toBe('exit-interview@en');
    act(() => host.select(E3.source));
    await waitFor(() => expect(picker().value).toBe('exit-interview@zh-CN'));
    fireEvent.change(picker(), { target: { value: 'exit-interview@en' } });
    act(() => host.select(`${E3.source}\n`));
    await waitFor(() => expect(picker().value).toBe('exit-interview@en'));
  });

  it('with nothing selected, follows the language of the document, not the UI', async () => {
    const host = new MemoryHost({ name: 'Word', suggestions: true, comments: true, tables: true, displayLanguage: 'en-US' });
    host.documentText = E3.source;
    setup({ host });
    await screen.findByText('Current selection');
    const picker = (): HTMLSelectElement => screen.getByTestId('template') as unknown as HTMLSelectElement;
    await waitFor(() => expect(picker().value).toBe('exit-interview@zh-CN'));
    // A selection in another language wins over the document's.
    act(() => host.select('The employee is leaving for a higher salary and a clearer promotion path elsewhere.'));
    await waitFor(() => expect(picker().value).toBe('exit-interview@en'));
  });
});
