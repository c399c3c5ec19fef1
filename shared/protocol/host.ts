/**
 * The webview <-> VS Code extension protocol, declared once. The webview side (extension/webview/message-host.ts,
 * an {@link RpcClient}) and the extension side (extension/view-provider.ts, an {@link RpcServer}) both import it
 * type-only. The webview asks, the extension answers: the webview has no access to documents or files, so every
 * {@link DocumentHost} call becomes one request here (Continue's `MessageIde` -> `VsCodeIde`).
 *
 * Names are `area/verb`. Requests flow webview -> extension; events flow extension -> webview. Errors travel as
 * {@link WireError} data with messages fit to show the writer.
 *
 * @see shared/protocol/rpc.ts for the wire format.
 */
import type { GpuCapabilities } from './gpu';
import type {
  ApplyResult,
  AuditRecord,
  AuditTrail,
  HostCapabilities,
  InsertionPlan,
  ReviewReport,
  SelectionSnapshot,
  TableRead,
} from '../host/port';
import type { ProtocolSpec, RpcClient, RpcServer, WireError } from './rpc';
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope } from '../wording/host';

/** The writer's Liuhen settings as the extension read them (VS Code's `liuhen.*` configuration). */
export interface HostSettings {
  /** Model id to load (`''`: let Liuhen choose for this GPU). */
  model: string;
  /** UI language: `auto` follows VS Code's display language. */
  uiLanguage: 'auto' | 'zh-CN' | 'en-US';
  /** Whether a custom template folder is configured (its files come through `templates/custom`). */
  customTemplateFolder: boolean;
  /** VS Code's display language (`vscode.env.language`), for `auto`. */
  displayLanguage: string;
  /**
   * `liuhen.customModels`: the company's merged models as WebLLM model records (the list `models/python
   * register` writes), validated in the webview by shared/engine/registry.
   */
  customModels?: unknown[];
  /**
   * `liuhen.companyServer`: a company inference server (the `server` entry of model-records.json,
   * shared/engine/server.ts), validated in the webview; when valid, the model runs there instead of this computer.
   */
  companyServer?: unknown;
}

/** One custom template file, as text: the webview validates it (shared/templates) and reports problems. */
export interface TemplateFile {
  /** File name relative to the template folder, for error messages. */
  name: string;
  text: string;
}

/** Reply to `templates/custom`. */
export interface CustomTemplates {
  files: TemplateFile[];
  /** Files that could not be read, with a reason the writer understands. */
  unreadable: Array<{ name: string; message: string }>;
}

/** `webview/ready`: the webview started; what it found. */
export interface WebviewReport {
  /** WebGPU as the webview page sees it (the engine worker sees the same adapter). */
  gpu: GpuCapabilities;
  /** Which engine the webview runs: `webllm` in the product, something else only in test builds. */
  engine: string;
  /** `navigator.userAgent`, for diagnostics. */
  userAgent: string;
}

/** `webview/status`: what the panel is doing, so the extension can show it (status bar) and tests can wait on it. */
export type PanelStatus =
  | { kind: 'idle' }
  | { kind: 'loading-model'; modelId: string; fraction: number }
  | { kind: 'generating'; templateId: string }
  | { kind: 'inserted'; auditIds: string[] }
  | { kind: 'error'; message: string; error?: WireError };

/** `file/save`: a file the panel produced. */
export interface SaveFileRequest {
  /** Suggested file name, e.g. `liuhen-audit.csv`. */
  name: string;
  mime: string;
  content: string;
}

/** Reply to `file/save`: whether the writer saved it (false: cancelled the dialog). */
export interface SaveFileReply {
  saved: boolean;
  /** Where it was saved (a URI string), when saved. */
  uri?: string;
}

/** `webview/notify`: a message for the writer, shown by VS Code. */
export interface Notification {
  severity: 'info' | 'warning' | 'error';
  message: string;
}

/** `command/generate` event: the writer ran "Liuhen: Generate from Selection". */
export interface GenerateCommand {
  /** Template to use (`id` + language), when the command was given one; else the panel's current choice. */
  templateKey?: string;
}

/** The protocol's type map. */
export interface HostProtocol extends ProtocolSpec {
  requests: {
    /** What the editor supports. */
    'host/capabilities': [void, HostCapabilities];
    /** The selection in the last active text editor (Markdown or plain text). */
    'selection/read': [void, SelectionSnapshot];
    /** The Markdown pipe table around the selection, and the rows the selection covers. */
    'table/read': [void, TableRead];
    /** Applies plans as one WorkspaceEdit whose entries need confirmation (VS Code's refactor preview). */
    'document/apply': [{ plans: InsertionPlan[] }, ApplyResult];
    /** Appends audit records to the file beside the document. */
    'audit/save': [{ records: AuditRecord[] }, void];
    /** All audit records of the document, oldest first. */
    'audit/read': [void, AuditRecord[]];
    /** The document's trail as stored (raw entries, salt, head), for the pane to verify the chain. */
    'audit/trail': [void, AuditTrail];
    /** The writer's review of the given inserted records, read from the document's text. */
    'audit/review': [{ records: AuditRecord[] }, ReviewReport];
    /** Check wording: the lines of the selection (or of the document when nothing is selected). */
    'wording/read': [{ scope: WordingScope }, WordingRead];
    /** Check wording: proposes the chosen suggestions as refactor-preview entries; what the writer kept. */
    'wording/apply': [WordingApplyRequest, WordingApplyResult];
    /** The `liuhen.*` settings. */
    'settings/read': [void, HostSettings];
    /** The JSON files of the custom template folder (none when no folder is configured). */
    'templates/custom': [void, CustomTemplates];
    /** The webview started and probed WebGPU. */
    'webview/ready': [WebviewReport, void];
    /** The panel's state changed. */
    'webview/status': [PanelStatus, void];
    /** Saves a file the panel exported (audit JSON/CSV, batch results) where the writer chooses (save dialog). */
    'file/save': [SaveFileRequest, SaveFileReply];
    /** Something the writer should see as a VS Code notification (e.g. an invalid custom template). */
    'webview/notify': [Notification, void];
  };
  chunks: Record<never, never>;
  progress: Record<never, never>;
  events: {
    /** The selection changed in a text editor (the panel re-reads it when it needs it). */
    'selection/changed': void;
    /** A `liuhen.*` setting changed. */
    'settings/changed': HostSettings;
    /** The writer ran "Liuhen: Generate from Selection". */
    'command/generate': GenerateCommand;
  };
}

/** The names of the protocol's requests. */
export type HostRequestName = keyof HostProtocol['requests'];

/** The webview's side of the protocol. */
export type HostClient = RpcClient<HostProtocol>;
/** The extension's side of the protocol. */
export type HostServer = RpcServer<HostProtocol>;
