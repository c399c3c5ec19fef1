/**
 * A small hand-written double of the `vscode` module, for unit tests of extension/ only (`vi.mock('vscode', () =>
 * import('./vscode-double'))`). It models what VsCodeHost and the view provider rely on, the way VS Code behaves:
 * documents with offsets and lines, change events with pre-change offsets, `applyEdit` that (after a simulated
 * refactor-preview review) applies the entries the writer kept, an in-memory `workspace.fs`, and webviews.
 */

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isBefore(other: Position): boolean {
    return this.line < other.line || (this.line === other.line && this.character < other.character);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
  get isEmpty(): boolean {
    return this.start.line === this.end.line && this.start.character === this.end.character;
  }
}

export class Selection extends Range {
  constructor(anchor: Position, active: Position) {
    super(anchor.isBefore(active) ? anchor : active, anchor.isBefore(active) ? active : anchor);
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', '', path);
  }
  static parse(value: string): Uri {
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(value);
    if (m) return new Uri(m[1] as string, m[2] as string, m[3] || '/');
    const u = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(value);
    return new Uri(u?.[1] ?? 'file', '', u?.[2] ?? value);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, base.authority, [base.path.replace(/\/+$/, ''), ...parts].join('/'));
  }
  with(change: { path?: string; scheme?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path);
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return this.scheme === 'untitled' ? `untitled:${this.path}` : `${this.scheme}://${this.authority}${this.path}`;
  }
}

export enum FileType {
  Unknown = 0,
  File = 1,
  Directory = 2,
}

export class FileSystemError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  static FileNotFound(uri: Uri): FileSystemError {
    return new FileSystemError(`${uri.toString()} not found`, 'FileNotFound');
  }
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

/** A text document: text plus VS Code's offset/line arithmetic. */
export class TextDocument {
  isClosed = false;
  version = 1;
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    public text: string,
  ) {}
  getText(range?: Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  private lineStarts(): number[] {
    const starts = [0];
    for (let i = 0; i < this.text.length; i += 1) if (this.text[i] === '\n') starts.push(i + 1);
    return starts;
  }
  get lineCount(): number {
    return this.lineStarts().length;
  }
  offsetAt(p: Position): number {
    const starts = this.lineStarts();
    const line = Math.min(Math.max(p.line, 0), starts.length - 1);
    const start = starts[line] as number;
    const end = line + 1 < starts.length ? (starts[line + 1] as number) - 1 : this.text.length;
    return Math.min(start + Math.max(p.character, 0), end);
  }
  positionAt(offset: number): Position {
    const starts = this.lineStarts();
    const o = Math.min(Math.max(offset, 0), this.text.length);
    let line = 0;
    while (line + 1 < starts.length && (starts[line + 1] as number) <= o) line += 1;
    return new Position(line, o - (starts[line] as number));
  }
  lineAt(line: number): { text: string; range: Range; lineNumber: number } {
    const starts = this.lineStarts();
    if (line < 0 || line >= starts.length) throw new Error(`Illegal value for line: ${line}`);
    const start = starts[line] as number;
    const end = line + 1 < starts.length ? (starts[line + 1] as number) - 1 : this.text.length;
    return { text: this.text.slice(start, end), range: new Range(this.positionAt(start), this.positionAt(end)), lineNumber: line };
  }
}

export interface TextEditor {
  document: TextDocument;
  selection: Selection;
}

/** One entry of a WorkspaceEdit, as recorded. */
export interface EditEntry {
  uri: Uri;
  range: Range;
  text: string;
  metadata?: { needsConfirmation: boolean; label: string; description?: string };
}

export class WorkspaceEdit {
  readonly entries: EditEntry[] = [];
  insert(uri: Uri, position: Position, text: string, metadata?: EditEntry['metadata']): void {
    this.entries.push({ uri, range: new Range(position, position), text, ...(metadata ? { metadata } : {}) });
  }
  replace(uri: Uri, range: Range, text: string, metadata?: EditEntry['metadata']): void {
    this.entries.push({ uri, range, text, ...(metadata ? { metadata } : {}) });
  }
  get size(): number {
    return this.entries.length;
  }
}

/** What the simulated refactor preview does with an edit that needs confirmation. */
export type Review = 'apply' | 'discard' | ((entry: EditEntry, index: number) => boolean);

const onDidChangeActiveTextEditor = new EventEmitter<TextEditor | undefined>();
const onDidChangeTextEditorSelection = new EventEmitter<{ textEditor: TextEditor }>();
const onDidChangeTextDocument = new EventEmitter<{ document: TextDocument; contentChanges: Array<{ range: Range; rangeOffset: number; rangeLength: number; text: string }> }>();
const onDidCloseTextDocument = new EventEmitter<TextDocument>();
const onDidChangeConfiguration = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
const onDidGrantWorkspaceTrust = new EventEmitter<void>();

/** Test controls (not part of the real API). */
export const __test = {
  files: new Map<string, Uint8Array>(),
  /** The writer's own (user) settings, by full name. */
  config: new Map<string, unknown>(),
  /** The open workspace's settings (.vscode/settings.json), by full name; they win over `config`, as in VS Code. */
  workspaceConfig: new Map<string, unknown>(),
  /** Whether the writer trusts the workspace. */
  trusted: true,
  review: 'apply' as Review,
  /** Every edit passed to applyEdit, in order. */
  edits: [] as WorkspaceEdit[],
  messages: [] as Array<{ severity: string; text: string }>,
  /** Which quick-pick item the writer picks (by label); undefined: they press Escape. */
  pickLabel: undefined as string | undefined,
  /** Where the writer saves in the save dialog; undefined: they cancel. */
  saveTarget: undefined as Uri | undefined,
  /** Options the last save dialog was opened with. */
  lastSaveDialog: undefined as { defaultUri?: Uri; filters?: Record<string, string[]> } | undefined,
  reset(): void {
    this.pickLabel = undefined;
    this.saveTarget = undefined;
    this.lastSaveDialog = undefined;
    this.files.clear();
    this.config.clear();
    this.workspaceConfig.clear();
    this.trusted = true;
    workspace.workspaceFolders = undefined;
    this.review = 'apply';
    this.edits = [];
    this.messages = [];
    workspace.textDocuments.splice(0);
    window.activeTextEditor = undefined;
  },
  /** Opens a document in an editor (the active one) with a selection given by offsets. */
  open(path: string, languageId: string, text: string, selection: [number, number] = [0, 0]): TextEditor {
    const doc = new TextDocument(path.startsWith('untitled:') ? Uri.parse(path) : Uri.file(path), languageId, text);
    workspace.textDocuments.push(doc);
    const editor: TextEditor = { document: doc, selection: new Selection(doc.positionAt(selection[0]), doc.positionAt(selection[1])) };
    window.activeTextEditor = editor;
    onDidChangeActiveTextEditor.fire(editor);
    return editor;
  },
  /** Types `text` over [from, to) like the writer would (fires the change event). */
  type(doc: TextDocument, from: number, to: number, text: string): void {
    applyToDocument(doc, [{ range: new Range(doc.positionAt(from), doc.positionAt(to)), text }]);
  },
  select(editor: TextEditor, from: number, to: number): void {
    editor.selection = new Selection(editor.document.positionAt(from), editor.document.positionAt(to));
    onDidChangeTextEditorSelection.fire({ textEditor: editor });
  },
  /** Changes a setting like the Settings editor does (fires onDidChangeConfiguration). */
  setSetting(name: string, value: unknown, scope: 'user' | 'workspace' = 'user'): void {
    (scope === 'user' ? this.config : this.workspaceConfig).set(name, value);
    onDidChangeConfiguration.fire({ affectsConfiguration: (section: string) => name === section || name.startsWith(`${section}.`) });
  },
  /** The writer trusts the workspace. */
  grantTrust(): void {
    this.trusted = true;
    onDidGrantWorkspaceTrust.fire();
  },
  blurEditor(): void {
    window.activeTextEditor = undefined;
    onDidChangeActiveTextEditor.fire(undefined);
  },
};

function applyToDocument(doc: TextDocument, edits: Array<{ range: Range; text: string }>): void {
  // Offsets against the document before the edit; applied from the end, as VS Code does.
  const changes = edits
    .map((e, i) => ({ i, range: e.range, rangeOffset: doc.offsetAt(e.range.start), rangeLength: doc.offsetAt(e.range.end) - doc.offsetAt(e.range.start), text: e.text }))
    .sort((a, b) => b.rangeOffset - a.rangeOffset || b.i - a.i);
  for (const c of changes) doc.text = doc.text.slice(0, c.rangeOffset) + c.text + doc.text.slice(c.rangeOffset + c.rangeLength);
  doc.version += 1;
  onDidChangeTextDocument.fire({ document: doc, contentChanges: changes.map(({ range, rangeOffset, rangeLength, text }) => ({ range, rangeOffset, rangeLength, text })) });
}

function showMessage(severity: string) {
  return (text: string): Promise<undefined> => {
    __test.messages.push({ severity, text });
    return Promise.resolve(undefined);
  };
}

export const window = {
  activeTextEditor: undefined as TextEditor | undefined,
  onDidChangeActiveTextEditor: onDidChangeActiveTextEditor.event,
  onDidChangeTextEditorSelection: onDidChangeTextEditorSelection.event,
  showInformationMessage: showMessage('info'),
  showWarningMessage: showMessage('warning'),
  showErrorMessage: showMessage('error'),
  showQuickPick: <T extends { label: string }>(items: T[]): Promise<T | undefined> => Promise.resolve(items.find((i) => i.label === __test.pickLabel)),
  showSaveDialog: (options: { defaultUri?: Uri; filters?: Record<string, string[]> }): Promise<Uri | undefined> => {
    __test.lastSaveDialog = options;
    return Promise.resolve(__test.saveTarget);
  },
  registerWebviewViewProvider: () => new Disposable(),
  createStatusBarItem: () => ({ text: '', name: '', command: '', show() {}, hide() {}, dispose() {} }),
};

export const workspace = {
  textDocuments: [] as TextDocument[],
  workspaceFolders: undefined as Array<{ uri: Uri }> | undefined,
  workspaceFile: undefined as Uri | undefined,
  onDidChangeTextDocument: onDidChangeTextDocument.event,
  onDidCloseTextDocument: onDidCloseTextDocument.event,
  onDidChangeConfiguration: onDidChangeConfiguration.event,
  onDidGrantWorkspaceTrust: onDidGrantWorkspaceTrust.event,
  get isTrusted(): boolean {
    return __test.trusted;
  },
  // Deliberately does NOT drop restricted workspace values when untrusted (VS Code does): the extension's own
  // filtering is what the tests prove.
  getConfiguration: (section: string) => ({
    get: <T>(key: string, fallback?: T): T | undefined => {
      const name = `${section}.${key}`;
      if (__test.workspaceConfig.has(name)) return __test.workspaceConfig.get(name) as T;
      return __test.config.has(name) ? (__test.config.get(name) as T) : fallback;
    },
    inspect: <T>(key: string): { key: string; globalValue?: T; workspaceValue?: T } => {
      const name = `${section}.${key}`;
      return {
        key: name,
        ...(__test.config.has(name) ? { globalValue: __test.config.get(name) as T } : {}),
        ...(__test.workspaceConfig.has(name) ? { workspaceValue: __test.workspaceConfig.get(name) as T } : {}),
      };
    },
  }),
  applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    __test.edits.push(edit);
    const review = __test.review;
    if (review === 'discard') return Promise.resolve(false);
    const kept = edit.entries.filter((e, i) => !e.metadata?.needsConfirmation || review === 'apply' || review(e, i));
    const byDoc = new Map<string, EditEntry[]>();
    for (const e of kept) byDoc.set(e.uri.toString(), [...(byDoc.get(e.uri.toString()) ?? []), e]);
    for (const [uri, entries] of byDoc) {
      const doc = workspace.textDocuments.find((d) => d.uri.toString() === uri);
      if (!doc) return Promise.resolve(false);
      applyToDocument(doc, entries);
    }
    return Promise.resolve(true);
  },
  fs: {
    readFile(uri: Uri): Promise<Uint8Array> {
      const bytes = __test.files.get(uri.toString());
      return bytes ? Promise.resolve(bytes) : Promise.reject(FileSystemError.FileNotFound(uri));
    },
    writeFile(uri: Uri, content: Uint8Array): Promise<void> {
      __test.files.set(uri.toString(), content);
      return Promise.resolve();
    },
    readDirectory(uri: Uri): Promise<Array<[string, FileType]>> {
      const prefix = `${uri.toString().replace(/\/+$/, '')}/`;
      const names = [...__test.files.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      if (names.length === 0) return Promise.reject(FileSystemError.FileNotFound(uri));
      return Promise.resolve(names.map((n) => [n, n.includes('/') ? FileType.Directory : FileType.File]));
    },
  },
};

export const env = { language: 'zh-cn' };

export const commands = {
  executed: [] as string[],
  executeCommand(command: string): Promise<undefined> {
    commands.executed.push(command);
    return Promise.resolve(undefined);
  },
  registerCommand: () => new Disposable(),
};

/** A webview view as VS Code hands it to a provider; `fromPage` delivers a message from the page's script. */
export class FakeWebviewView {
  private readonly received = new EventEmitter<unknown>();
  private readonly disposed = new EventEmitter<void>();
  /** Messages the extension posted to the page. */
  readonly posted: unknown[] = [];
  /** Where posted messages go (the page's window in a test that connects a page side). */
  deliverToPage: ((message: unknown) => void) | undefined;
  shown = 0;
  readonly webview = {
    options: {} as { enableScripts?: boolean; localResourceRoots?: Uri[] },
    html: '',
    cspSource: 'https://*.vscode-cdn.net',
    asWebviewUri: (uri: Uri): Uri => Uri.parse(`https://file+.vscode-resource.vscode-cdn.net${uri.path}`),
    postMessage: (message: unknown): Promise<boolean> => {
      this.posted.push(message);
      // Asynchronous like the real channel.
      queueMicrotask(() => this.deliverToPage?.(structuredClone(message)));
      return Promise.resolve(true);
    },
    onDidReceiveMessage: this.received.event,
  };
  onDidDispose = this.disposed.event;
  show(): void {
    this.shown += 1;
  }
  fromPage(message: unknown): void {
    const copy = structuredClone(message);
    queueMicrotask(() => this.received.fire(copy));
  }
  dispose(): void {
    this.disposed.fire();
  }
}
