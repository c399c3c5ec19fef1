/**
 * A test double of the slice of Word's object model that WordHost uses.
 *
 * `office-addin-mock` provides the `Office` and `Word` globals (requirement sets, display language, the Common
 * API, `Word.run`); enums are assigned by hand, as its README says. It cannot express a live document — objects
 * returned by methods (`insertParagraph`, `getCell`, `search`), queued operations, `compareLocationWith`,
 * custom XML parts — so that part is hand-written here, keeping Office's rules:
 * - operations are queued and run in order at `context.sync()`; a failing operation rejects the sync and the
 *   rest of the batch is not run;
 * - a property read before `load` returns office-addin-mock's "Error, property was not loaded", after `load`
 *   but before `sync` its "Error, context.sync() was not called";
 * - an object belongs to its request context; `Word.run(object, batch)` reuses that object's context;
 * - `getSelection()` over several table rows reports only the last row unless `fixed5388` is set (office-js
 *   #5388), while the Common API's Matrix coercion returns every selected row.
 * Every `context.sync()` is counted in `syncs`.
 */
import { OfficeMockObject } from 'office-addin-mock';

const NOT_LOADED = 'Error, property was not loaded';
const NOT_SYNCED = 'Error, context.sync() was not called';

export interface MockParagraph {
  text: string;
  style: string;
  /** The tracking mode at the moment it was inserted; undefined for the document's original paragraphs. */
  insertedUnder?: string;
  /** Ids of the content controls it is in. */
  controls: number[];
  /** Set when the writer accepted (or rejected) its tracked insertion; until then an insertion under tracking is pending. */
  decided?: boolean;
  container: MockNode[] | MockParagraph[];
}
export interface MockCell {
  paragraphs: MockParagraph[];
}
export interface MockTable {
  kind: 'table';
  rows: MockCell[][];
}
export type MockNode = MockParagraph | MockTable;

function isTable(n: MockNode): n is MockTable {
  return (n as MockTable).kind === 'table';
}

export interface MockControl {
  id: number;
  tag: string;
  title: string;
  cannotEdit: boolean;
  cannotDelete: boolean;
}
export interface MockComment {
  text: string;
  /** The text the comment is attached to. */
  on: string;
}
/** A word-level tracked change made inside an existing paragraph (`range.insertText(…, 'Replace')` / `delete()`). */
export interface MockRevision {
  /** The paragraph's text before the change. */
  paragraphBefore: string;
  before: string;
  /** `''` for a deletion. */
  after: string;
  /** The tracking mode when Word ran the change (`TrackAll`: a tracked suggestion). */
  trackedAs: string;
  /** The paragraph's style when the change ran (the writer's formatting must not move). */
  style: string;
}
export interface MockXmlPart {
  id: number;
  xml: string;
}

export type MockSelection =
  | { paragraphs: [number, number] }
  | { cursor: number }
  | { table: number; rows: [number, number]; cells?: [number, number] };

/** Options of {@link WordMock}. */
export interface WordMockOptions {
  /** Body: a string is a paragraph, a 2-D array a table (a cell's `\n` separates its paragraphs). */
  body?: Array<string | string[][]>;
  /** Indices count body paragraphs / tables separately (0-based). Default: cursor in the first paragraph. */
  selection?: MockSelection;
  trackingMode?: 'Off' | 'TrackAll' | 'TrackMineOnly';
  /** Highest WordApi version supported (default 1.4). */
  wordApi?: string;
  displayLanguage?: string;
  /** Whether getSelectedDataAsync(Matrix) works (default true). */
  matrix?: boolean;
  /** getSelection() reports every selected table row (a Word build where #5388 is fixed). */
  fixed5388?: boolean;
}

type Op = () => void;

class MockContext {
  readonly queue: Op[] = [];
  readonly trackedObjects = {
    add: (o: unknown): void => {
      this.word.tracked.add(o);
    },
    remove: (o: unknown): void => {
      this.word.tracked.delete(o);
    },
  };
  readonly document: MockDocument;

  constructor(readonly word: WordMock) {
    this.document = new MockDocument(this);
  }

  async sync(): Promise<void> {
    this.word.syncs += 1;
    await Promise.resolve();
    const ops = this.queue.splice(0);
    for (const op of ops) op();
  }
}

/** Base of mock client objects: `load` + guarded reads with office-addin-mock's error strings. */
class Loadable {
  private readonly ready = new Map<string, unknown>();
  private readonly pending = new Set<string>();

  constructor(readonly context: MockContext) {}

  load(props?: string | string[]): this {
    const names = (Array.isArray(props) ? props : (props ?? '').split(',')).map((p) => p.trim().split('/')[0] ?? '').filter((p) => p !== '');
    for (const n of names) this.pending.add(n);
    this.context.queue.push(() => {
      for (const n of names) {
        this.ready.set(n, this.snapshot(n));
        this.pending.delete(n);
      }
    });
    return this;
  }

  protected snapshot(_name: string): unknown {
    return undefined;
  }

  protected read<T>(name: string): T {
    if (this.ready.has(name)) return this.ready.get(name) as T;
    return (this.pending.has(name) ? NOT_SYNCED : NOT_LOADED) as T;
  }

  protected queue(op: Op): void {
    this.context.queue.push(op);
  }

  track(): this {
    this.context.trackedObjects.add(this);
    return this;
  }

  untrack(): this {
    this.context.trackedObjects.remove(this);
    return this;
  }
}

class ClientResult<T> {
  value: T = NOT_SYNCED as T;
}

/** A range over whole paragraphs (in document order), or an empty cursor range. */
class MockRange extends Loadable {
  /** Resolves the paragraphs lazily: objects created in the same batch get their nodes when the batch runs. */
  constructor(
    context: MockContext,
    readonly span: () => { first: MockParagraph; last: MockParagraph; empty?: boolean; text?: string },
  ) {
    super(context);
  }

  get text(): string {
    return this.read('text');
  }

  protected override snapshot(name: string): unknown {
    if (name === 'text') {
      const s = this.span();
      if (s.empty) return '';
      if (s.text !== undefined) return s.text;
      return this.context.word.between(s.first, s.last).map((p) => p.text).join('\r');
    }
    return undefined;
  }

  get parentTableOrNullObject(): MockTableObject {
    return new MockTableObject(this.context, () => this.context.word.tableOf(this.span().first));
  }

  insertParagraph(text: string, location: string): MockParagraphObject {
    const made: { node?: MockParagraph } = {};
    this.queue(() => {
      this.context.word.failIf('insertParagraph');
      if (location !== 'After' && location !== 'Before') throw new Error(`InvalidArgument: ${location}`);
      const s = this.span();
      made.node = this.context.word.insertNear(location === 'After' ? s.last : s.first, text, location);
    });
    return new MockParagraphObject(this.context, () => need(made.node));
  }

  getRange(_location?: string): MockRange {
    return new MockRange(this.context, this.span);
  }

  expandTo(other: MockRange): MockRange {
    if (other.context !== this.context) throw new Error('InvalidObjectPath: object from another request context');
    return new MockRange(this.context, () => ({ first: this.span().first, last: other.span().last }));
  }

  compareLocationWith(other: MockRange): ClientResult<string> {
    const r = new ClientResult<string>();
    this.queue(() => {
      r.value = this.context.word.compare(this.span(), other.span());
    });
    return r;
  }

  insertContentControl(): MockContentControl {
    const control = new MockContentControl(this.context);
    this.queue(() => {
      this.context.word.failIf('insertContentControl');
      const s = this.span();
      const id = this.context.word.controls.length + 1;
      this.context.word.controls.push({ id, tag: '', title: '', cannotEdit: false, cannotDelete: false });
      for (const p of this.context.word.between(s.first, s.last)) p.controls.push(id);
      control.id = id;
      control.lastParagraph = s.last;
    });
    return control;
  }

  insertComment(text: string): ClientResult<unknown> {
    this.queue(() => {
      this.context.word.failIf('insertComment');
      const s = this.span();
      const on = s.text ?? this.context.word.between(s.first, s.last).map((p) => p.text).join('\r');
      this.context.word.comments.push({ text, on });
    });
    return new ClientResult();
  }

  /** Search results over this range's paragraphs; `load('items')` gives word-level ranges (wording check). */
  search(text: string, options?: { matchCase?: boolean }): MockSearchResults {
    const results = new MockSearchResults(this.context, () => this.context.word.between(this.span().first, this.span().last), text, options?.matchCase !== false);
    return Object.assign(results, this.firstOf(text, options));
  }

  /** The paragraphs of this range (`range.paragraphs`), e.g. of the selection. */
  get paragraphs(): MockParagraphCollection {
    return new MockParagraphCollection(this.context, () => this.context.word.between(this.span().first, this.span().last));
  }

  private firstOf(text: string, options?: { matchCase?: boolean }): { getFirst(): MockRange } {
    return {
      getFirst: () => {
        const found: { text?: string } = {};
        this.queue(() => {
          const s = this.span();
          const hay = this.context.word.between(s.first, s.last).map((p) => p.text).join('\r');
          const hit = options?.matchCase === false ? hay.toLowerCase().includes(text.toLowerCase()) : hay.includes(text);
          if (!hit) throw new Error('ItemNotFound');
          found.text = text;
        });
        return new MockRange(this.context, () => ({ ...this.span(), text: found.text ?? text }));
      },
    };
  }
}

function need<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('InvalidObjectPath: the object was not created (its batch failed or has not run)');
  return v;
}

class MockParagraphObject extends MockRange {
  constructor(
    context: MockContext,
    private readonly node: () => MockParagraph,
  ) {
    super(context, () => ({ first: node(), last: node() }));
  }

  set styleBuiltIn(style: string) {
    this.queue(() => {
      this.node().style = style;
    });
  }

  get styleBuiltIn(): string {
    return this.read('styleBuiltIn');
  }

  protected override snapshot(name: string): unknown {
    return name === 'styleBuiltIn' ? this.node().style : super.snapshot(name);
  }
}

class MockContentControl extends Loadable {
  id = 0;
  lastParagraph: MockParagraph | undefined;

  private set(field: 'tag' | 'title' | 'cannotEdit' | 'cannotDelete', value: string | boolean): void {
    this.queue(() => {
      const c = this.context.word.controls.find((x) => x.id === this.id);
      if (!c) throw new Error('InvalidObjectPath: content control');
      (c as unknown as Record<string, unknown>)[field] = value;
    });
  }

  set tag(v: string) {
    this.set('tag', v);
  }
  set title(v: string) {
    this.set('title', v);
  }
  set cannotEdit(v: boolean) {
    this.set('cannotEdit', v);
  }
  set cannotDelete(v: boolean) {
    this.set('cannotDelete', v);
  }

  insertParagraph(text: string, location: string): MockParagraphObject {
    const made: { node?: MockParagraph } = {};
    this.queue(() => {
      this.context.word.failIf('insertParagraph');
      if (location !== 'After') throw new Error(`not simulated: content control insertParagraph ${location}`);
      made.node = this.context.word.insertNear(need(this.lastParagraph), text, 'After');
    });
    return new MockParagraphObject(this.context, () => need(made.node));
  }
}

class MockTableObject extends Loadable {
  constructor(
    context: MockContext,
    private readonly node: () => MockTable | undefined,
  ) {
    super(context);
  }

  get isNullObject(): boolean {
    return this.read('isNullObject');
  }
  get values(): string[][] {
    return this.read('values');
  }
  get rowCount(): number {
    return this.read('rowCount');
  }

  protected override snapshot(name: string): unknown {
    const t = this.node();
    if (name === 'isNullObject') return t === undefined;
    if (!t) return NOT_LOADED;
    if (name === 'values') return t.rows.map((row) => row.map((c) => c.paragraphs.map((p) => p.text).join('\r')));
    if (name === 'rowCount') return t.rows.length;
    return undefined;
  }

  getCell(row: number, column: number): { body: MockBody } {
    const cell = (): MockCell => {
      const c = this.node()?.rows[row]?.[column];
      if (!c) throw new Error(`ItemNotFound: cell ${row},${column}`);
      return c;
    };
    return { body: new MockBody(this.context, cell) };
  }

  insertParagraph(text: string, location: string): MockParagraphObject {
    const made: { node?: MockParagraph } = {};
    this.queue(() => {
      this.context.word.failIf('insertParagraph');
      const t = this.node();
      if (!t || location !== 'After') throw new Error('InvalidArgument');
      made.node = this.context.word.insertAfterTable(t, text);
    });
    return new MockParagraphObject(this.context, () => need(made.node));
  }
}

class MockBody extends Loadable {
  constructor(
    context: MockContext,
    private readonly cell: () => MockCell,
  ) {
    super(context);
  }

  getRange(_location?: string): MockRange {
    return new MockRange(this.context, () => {
      const ps = this.cell().paragraphs;
      return { first: need(ps[0]), last: need(ps[ps.length - 1]) };
    });
  }

  insertParagraph(text: string, location: string): MockParagraphObject {
    const made: { node?: MockParagraph } = {};
    this.queue(() => {
      this.context.word.failIf('insertParagraph');
      if (location !== 'End') throw new Error('not simulated');
      const ps = this.cell().paragraphs;
      made.node = { text, style: 'Normal', insertedUnder: this.context.word.trackingMode, controls: [], container: ps };
      ps.push(made.node);
    });
    return new MockParagraphObject(this.context, () => need(made.node));
  }
}

class MockPartCollection extends Loadable {
  constructor(
    context: MockContext,
    private readonly namespace: string,
  ) {
    super(context);
  }
  get items(): MockPartObject[] {
    return this.read('items');
  }
  protected override snapshot(name: string): unknown {
    if (name !== 'items') return undefined;
    return this.context.word.parts.filter((p) => p.xml.includes(`xmlns="${this.namespace}"`)).map((p) => new MockPartObject(this.context, p));
  }
}

class MockPartObject extends Loadable {
  constructor(
    context: MockContext,
    readonly part: MockXmlPart,
  ) {
    super(context);
  }
  getXml(): ClientResult<string> {
    const r = new ClientResult<string>();
    this.queue(() => {
      r.value = this.part.xml;
    });
    return r;
  }
  setXml(xml: string): void {
    this.queue(() => {
      this.context.word.failIf('setXml');
      this.part.xml = xml;
    });
  }
}

/** A content control as `contentControls.getByTag(...).items` returns it (text as Word gives it, `\r` between paragraphs). */
class MockControlItem {
  constructor(
    readonly tag: string,
    readonly text: string,
  ) {}
}

class MockControlCollection extends Loadable {
  constructor(
    context: MockContext,
    private readonly tag: string,
  ) {
    super(context);
  }
  get items(): MockControlItem[] {
    return this.read('items');
  }
  protected override snapshot(name: string): unknown {
    if (name !== 'items') return undefined;
    const word = this.context.word;
    return word.controls
      .filter((c) => c.tag === this.tag)
      .flatMap((c) => {
        const ps = word.flat().filter((p) => p.controls.includes(c.id));
        return ps.length > 0 ? [new MockControlItem(c.tag, ps.map((p) => p.text).join('\r'))] : [];
      });
  }
}

/** `range.parentContentControlOrNullObject`. */
class MockParentControl extends Loadable {
  constructor(
    context: MockContext,
    private readonly paragraph: MockParagraph,
  ) {
    super(context);
  }
  get tag(): string {
    return this.read('tag');
  }
  get isNullObject(): boolean {
    return this.read('isNullObject');
  }
  protected override snapshot(name: string): unknown {
    const id = this.paragraph.controls[this.paragraph.controls.length - 1];
    const control = this.context.word.controls.find((c) => c.id === id);
    if (name === 'isNullObject') return control === undefined;
    if (name === 'tag') return control?.tag ?? NOT_LOADED;
    return undefined;
  }
}

/** One tracked change (WordApi 1.6): here, one pending inserted paragraph. */
class MockTrackedChange {
  constructor(
    private readonly context: MockContext,
    readonly paragraph: MockParagraph,
  ) {}
  get type(): string {
    return 'Added';
  }
  get text(): string {
    return this.paragraph.text;
  }
  getRange(_location?: string): { parentContentControlOrNullObject: MockParentControl } {
    return { parentContentControlOrNullObject: new MockParentControl(this.context, this.paragraph) };
  }
}

class MockTrackedChanges extends Loadable {
  get items(): MockTrackedChange[] {
    return this.read('items');
  }
  protected override snapshot(name: string): unknown {
    if (name !== 'items') return undefined;
    return this.context.word.pendingParagraphs().map((p) => new MockTrackedChange(this.context, p));
  }
}

/** `body.paragraphs`: the body's own paragraphs (not those inside tables), loaded with `{ text: true, $top }`. */
class MockParagraphCollection extends Loadable {
  private loaded: MockLoadedParagraph[] | undefined;

  constructor(
    context: MockContext,
    private readonly source: () => MockParagraph[] = () => context.word.body.filter((n): n is MockParagraph => !isTable(n)),
  ) {
    super(context);
  }

  override load(options?: string | string[] | { $top?: number }): this {
    const top = typeof options === 'object' && !Array.isArray(options) ? options.$top : undefined;
    this.queue(() => {
      const paragraphs = this.source();
      this.loaded = paragraphs.slice(0, top ?? paragraphs.length).map((p) => new MockLoadedParagraph(this.context, p));
    });
    return this;
  }

  get items(): MockLoadedParagraph[] {
    if (!this.loaded) throw new Error(NOT_LOADED);
    return this.loaded;
  }
}

/** A paragraph of a loaded collection: its text as of the load, and the paragraph's ranges (search). */
class MockLoadedParagraph extends MockParagraphObject {
  private readonly loadedText: string;
  constructor(context: MockContext, node: MockParagraph) {
    super(context, () => node);
    this.loadedText = node.text;
  }
  override get text(): string {
    return this.loadedText;
  }
}

/** `range.search(text)`: each occurrence (non-overlapping, left to right) as a word-level range. */
class MockSearchResults extends Loadable {
  private found: MockTextRange[] | undefined;
  constructor(
    context: MockContext,
    private readonly paragraphs: () => MockParagraph[],
    private readonly needle: string,
    private readonly matchCase: boolean,
  ) {
    super(context);
  }
  override load(_props?: string | string[]): this {
    this.queue(() => {
      const out: MockTextRange[] = [];
      const n = this.matchCase ? this.needle : this.needle.toLowerCase();
      for (const p of this.paragraphs()) {
        const hay = this.matchCase ? p.text : p.text.toLowerCase();
        for (let i = hay.indexOf(n); i >= 0 && n.length > 0; i = hay.indexOf(n, i + n.length)) {
          out.push(new MockTextRange(this.context, p, i, p.text.slice(i, i + n.length)));
        }
      }
      this.found = out;
    });
    return this;
  }
  get items(): MockTextRange[] {
    if (!this.found) throw new Error(NOT_LOADED);
    return this.found;
  }
}

/** A range over some characters of one paragraph. Edits check that the text is still where it was found. */
class MockTextRange extends Loadable {
  constructor(
    context: MockContext,
    private readonly node: MockParagraph,
    private readonly start: number,
    private readonly expected: string,
  ) {
    super(context);
  }

  private check(): void {
    if (this.node.text.slice(this.start, this.start + this.expected.length) !== this.expected) {
      throw new Error(`InvalidObjectPath: the range no longer holds "${this.expected}"`);
    }
  }

  private change(after: string): void {
    this.check();
    const word = this.context.word;
    word.failIf('insertText');
    const before = this.node.text;
    this.node.text = before.slice(0, this.start) + after + before.slice(this.start + this.expected.length);
    word.revisions.push({ paragraphBefore: before, before: this.expected, after, trackedAs: word.trackingMode, style: this.node.style });
  }

  insertText(text: string, location: string): MockTextRange {
    if (location !== 'Replace') throw new Error('not simulated');
    this.queue(() => this.change(text));
    return new MockTextRange(this.context, this.node, this.start, text);
  }

  delete(): void {
    this.queue(() => this.change(''));
  }

  insertComment(text: string): ClientResult<unknown> {
    this.queue(() => {
      this.context.word.failIf('insertComment');
      this.check();
      this.context.word.comments.push({ text, on: this.expected });
    });
    return new ClientResult();
  }
}

class MockDocument extends Loadable {
  readonly customXmlParts: { getByNamespace(ns: string): MockPartCollection; add(xml: string): void };
  readonly contentControls = {
    getByTag: (tag: string): MockControlCollection => new MockControlCollection(this.context, tag),
  };
  readonly body = {
    paragraphs: new MockParagraphCollection(this.context),
    getTrackedChanges: (): MockTrackedChanges => {
      if (this.context.word.wordApi < 1.6) throw new Error('ApiNotFound: getTrackedChanges needs WordApi 1.6');
      return new MockTrackedChanges(this.context);
    },
  };

  constructor(context: MockContext) {
    super(context);
    this.customXmlParts = {
      // As in Word: custom XML parts are WordApi 1.4.
      getByNamespace: (ns) => {
        if (this.context.word.wordApi < 1.4) throw new Error('ApiNotFound: customXmlParts needs WordApi 1.4');
        return new MockPartCollection(context, ns);
      },
      add: (xml) => {
        this.queue(() => {
          this.context.word.failIf('addXml');
          this.context.word.parts.push({ id: this.context.word.parts.length + 1, xml });
        });
      },
    };
  }

  get changeTrackingMode(): string {
    return this.read('changeTrackingMode');
  }

  set changeTrackingMode(mode: string) {
    this.queue(() => {
      if (this.context.word.wordApi < 1.4) throw new Error('ApiNotFound: changeTrackingMode needs WordApi 1.4');
      this.context.word.setMode(mode);
    });
  }

  protected override snapshot(name: string): unknown {
    return name === 'changeTrackingMode' ? this.context.word.trackingMode : undefined;
  }

  getSelection(): MockRange {
    // The range is where the selection is when the batch runs; later selection changes do not move it.
    let frozen: ReturnType<WordMock['selectionSpan']> | undefined;
    return new MockRange(this.context, () => (frozen ??= this.context.word.selectionSpan()));
  }
}

/** The mock document and the globals. Call `install()` before using WordHost and `uninstall()` after. */
export class WordMock {
  readonly body: MockNode[] = [];
  readonly controls: MockControl[] = [];
  readonly comments: MockComment[] = [];
  /** Word-level changes inside existing paragraphs, in the order Word ran them. */
  readonly revisions: MockRevision[] = [];
  readonly parts: MockXmlPart[] = [];
  readonly tracked = new Set<unknown>();
  /** Every `context.sync()` of every request context. */
  syncs = 0;
  trackingMode: string;
  /** Every mode the document was switched to, in order. */
  readonly modeHistory: string[] = [];
  selection: MockSelection;
  readonly wordApi: number;
  /** The named operation throws the next `times` times it runs (a Word error mid-batch). */
  failures = new Map<string, number>();
  readonly office: OfficeMockObject & Record<string, unknown>;
  readonly word: OfficeMockObject & Record<string, unknown>;
  private readonly options: WordMockOptions;
  private selectionHandlers: Array<() => void> = [];
  private saved: { Word: unknown; Office: unknown } | undefined;

  constructor(options: WordMockOptions = {}) {
    this.options = options;
    this.trackingMode = options.trackingMode ?? 'Off';
    this.wordApi = Number(options.wordApi ?? '1.4');
    this.selection = options.selection ?? { cursor: 0 };
    for (const item of options.body ?? ['']) {
      if (typeof item === 'string') this.body.push(this.para(item, this.body));
      else {
        const table: MockTable = { kind: 'table', rows: [] };
        table.rows = item.map((row) =>
          row.map((cell) => {
            const paragraphs: MockParagraph[] = [];
            for (const t of cell.split('\n')) paragraphs.push(this.para(t, paragraphs));
            return { paragraphs };
          }),
        );
        this.body.push(table);
      }
    }
    const office = new OfficeMockObject({
      context: {
        requirements: {
          isSetSupported: (name: string, version?: string): boolean => name === 'WordApi' && Number(version ?? '1.1') <= this.wordApi,
        },
        document: {
          getSelectedDataAsync: (coercion: string, callback: (r: { status: string; value?: unknown; error?: unknown }) => void): void => {
            const value = coercion === 'matrix' ? this.selectedMatrix() : undefined;
            setTimeout(() => callback(value ? { status: 'succeeded', value } : { status: 'failed', error: { message: 'not a matrix selection' } }), 0);
          },
          addHandlerAsync: (_type: string, handler: () => void): void => {
            this.selectionHandlers.push(handler);
          },
          removeHandlerAsync: (_type: string, options: { handler: () => void }): void => {
            this.selectionHandlers = this.selectionHandlers.filter((h) => h !== options.handler);
          },
        },
      },
    }) as OfficeMockObject & Record<string, unknown>;
    // Plain values and enums are assigned by hand (office-addin-mock would guard them as unloaded properties).
    (office['context'] as Record<string, unknown>)['displayLanguage'] = options.displayLanguage ?? 'zh-CN';
    office['CoercionType'] = { Matrix: 'matrix', Text: 'text', Table: 'table' };
    office['EventType'] = { DocumentSelectionChanged: 'documentSelectionChanged' };
    office['AsyncResultStatus'] = { Succeeded: 'succeeded', Failed: 'failed' };
    this.office = office;

    const word = new OfficeMockObject({
      run: async (a: unknown, b?: unknown): Promise<unknown> => {
        const batch = (typeof a === 'function' ? a : b) as (ctx: MockContext) => Promise<unknown>;
        const context = typeof a === 'function' ? new MockContext(this) : (a as Loadable).context;
        if (!(context instanceof MockContext)) throw new Error('InvalidObjectPath: Word.run with a foreign object');
        return batch(context);
      },
    }) as OfficeMockObject & Record<string, unknown>;
    word['ChangeTrackingMode'] = { off: 'Off', trackAll: 'TrackAll', trackMineOnly: 'TrackMineOnly' };
    word['BuiltInStyleName'] = { normal: 'Normal', heading1: 'Heading1', heading2: 'Heading2', heading3: 'Heading3', heading4: 'Heading4', title: 'Title', subtitle: 'Subtitle', strong: 'Strong' };
    word['InsertLocation'] = { before: 'Before', after: 'After', start: 'Start', end: 'End', replace: 'Replace' };
    word['LocationRelation'] = { equal: 'Equal', inside: 'Inside', contains: 'Contains', before: 'Before', after: 'After' };
    this.word = word;
  }

  install(): this {
    const g = globalThis as Record<string, unknown>;
    this.saved = { Word: g['Word'], Office: g['Office'] };
    g['Word'] = this.word;
    g['Office'] = this.office;
    return this;
  }

  uninstall(): void {
    const g = globalThis as Record<string, unknown>;
    g['Word'] = this.saved?.Word;
    g['Office'] = this.saved?.Office;
  }

  /** Simulates the writer moving the selection (and fires DocumentSelectionChanged). */
  select(selection: MockSelection): void {
    this.selection = selection;
    for (const h of this.selectionHandlers) h();
  }

  /** Simulates the writer typing a paragraph at the top of the document (tracked ranges stay on their text). */
  typeAtTop(text: string): void {
    this.body.unshift(this.para(text, this.body));
  }

  failIf(op: string): void {
    const n = this.failures.get(op) ?? 0;
    if (n > 0) {
      this.failures.set(op, n - 1);
      throw new Error(`GeneralException: simulated failure in ${op}`);
    }
  }

  setMode(mode: string): void {
    this.trackingMode = mode;
    this.modeHistory.push(mode);
  }

  private para(text: string, container: MockNode[] | MockParagraph[]): MockParagraph {
    return { text, style: 'Normal', controls: [], container };
  }

  /** Paragraphs in document order (table cells row by row). */
  flat(): MockParagraph[] {
    const out: MockParagraph[] = [];
    for (const n of this.body) {
      if (isTable(n)) for (const row of n.rows) for (const cell of row) out.push(...cell.paragraphs);
      else out.push(n);
    }
    return out;
  }

  /** The body's top-level paragraphs as text (tables as `[table]`), for assertions. */
  outline(): string[] {
    return this.body.map((n) => (isTable(n) ? '[table]' : n.text));
  }

  between(first: MockParagraph, last: MockParagraph): MockParagraph[] {
    const all = this.flat();
    const a = all.indexOf(first);
    const b = all.indexOf(last);
    if (a < 0 || b < 0) throw new Error('InvalidObjectPath: range no longer in the document');
    return all.slice(Math.min(a, b), Math.max(a, b) + 1);
  }

  compare(a: { first: MockParagraph; last: MockParagraph }, b: { first: MockParagraph; last: MockParagraph }): string {
    const all = this.flat();
    const [as, ae, bs, be] = [all.indexOf(a.first), all.indexOf(a.last), all.indexOf(b.first), all.indexOf(b.last)];
    if (as === bs && ae === be) return 'Equal';
    if (as <= bs && ae >= be) return 'Contains';
    if (as >= bs && ae <= be) return 'Inside';
    if (ae < bs) return ae + 1 === bs ? 'AdjacentBefore' : 'Before';
    if (as > be) return as - 1 === be ? 'AdjacentAfter' : 'After';
    return as < bs ? 'OverlapsBefore' : 'OverlapsAfter';
  }

  tableOf(p: MockParagraph): MockTable | undefined {
    return this.body.find((n): n is MockTable => isTable(n) && n.rows.some((row) => row.some((c) => c.paragraphs.includes(p))));
  }

  tables(): MockTable[] {
    return this.body.filter(isTable);
  }

  paragraphsOfBody(): MockParagraph[] {
    return this.body.filter((n): n is MockParagraph => !isTable(n));
  }

  insertNear(anchor: MockParagraph, text: string, location: 'After' | 'Before'): MockParagraph {
    const container = anchor.container as MockParagraph[];
    const at = container.indexOf(anchor);
    if (at < 0) throw new Error('InvalidObjectPath: paragraph no longer in the document');
    const node: MockParagraph = { text, style: anchor.style, insertedUnder: this.trackingMode, controls: [], container };
    container.splice(location === 'After' ? at + 1 : at, 0, node);
    return node;
  }

  insertAfterTable(table: MockTable, text: string): MockParagraph {
    const at = this.body.indexOf(table);
    const node: MockParagraph = { text, style: 'Normal', insertedUnder: this.trackingMode, controls: [], container: this.body };
    this.body.splice(at + 1, 0, node);
    return node;
  }

  selectionSpan(): { first: MockParagraph; last: MockParagraph; empty?: boolean } {
    const s = this.selection;
    if ('cursor' in s) {
      const p = need(this.paragraphsOfBody()[s.cursor]);
      return { first: p, last: p, empty: true };
    }
    if ('paragraphs' in s) {
      const ps = this.paragraphsOfBody();
      return { first: need(ps[s.paragraphs[0]]), last: need(ps[s.paragraphs[1]]) };
    }
    const table = need(this.tables()[s.table]);
    const [from, to] = s.rows;
    // office-js #5388: several selected rows are reported as the last one only.
    const firstRow = this.options.fixed5388 ? from : to;
    const [c0, c1] = s.cells ?? [0, Number.MAX_SAFE_INTEGER];
    const rowFirst = need(table.rows[firstRow]);
    const rowLast = need(table.rows[to]);
    const firstCell = need(rowFirst[Math.min(c0, rowFirst.length - 1)]);
    const lastCell = need(rowLast[Math.min(c1, rowLast.length - 1)]);
    return { first: need(firstCell.paragraphs[0]), last: need(lastCell.paragraphs[lastCell.paragraphs.length - 1]) };
  }

  private selectedMatrix(): string[][] | undefined {
    const s = this.selection;
    if (this.options.matrix === false || !('table' in s)) return undefined;
    const table = need(this.tables()[s.table]);
    const [c0, c1] = s.cells ?? [0, Number.MAX_SAFE_INTEGER];
    return table.rows.slice(s.rows[0], s.rows[1] + 1).map((row) => row.slice(c0, c1 + 1).map((c) => c.paragraphs.map((p) => p.text).join('\r')));
  }

  /** Inserted paragraphs still waiting for the writer's accept / reject. */
  pendingParagraphs(): MockParagraph[] {
    return this.flat().filter((p) => p.insertedUnder !== undefined && p.insertedUnder !== 'Off' && p.decided !== true);
  }

  private paragraphsOf(tag: string): MockParagraph[] {
    const ids = this.controls.filter((c) => c.tag === tag).map((c) => c.id);
    return this.flat().filter((p) => p.controls.some((id) => ids.includes(id)));
  }

  /** The writer accepts the tracked insertion of the record tagged `tag` (Review > Accept). */
  accept(tag: string): void {
    for (const p of this.paragraphsOf(tag)) p.decided = true;
  }

  /** The writer rejects it: its paragraphs (and so its content control) leave the document. */
  reject(tag: string): void {
    for (const p of this.paragraphsOf(tag)) {
      const container = p.container as MockParagraph[];
      container.splice(container.indexOf(p), 1);
    }
  }

  /** The writer edits the text of the record tagged `tag`: `from` becomes `to` in its paragraph `index`. */
  edit(tag: string, index: number, from: string, to: string): void {
    const p = this.paragraphsOf(tag)[index];
    if (!p || !p.text.includes(from)) throw new Error(`mock: no "${from}" in paragraph ${index} of ${tag}`);
    p.text = p.text.replace(from, to);
  }

  /** Inserted paragraphs (text and style) in document order. */
  inserted(): MockParagraph[] {
    return this.flat().filter((p) => p.insertedUnder !== undefined);
  }
}
