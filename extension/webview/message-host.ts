/**
 * MessageHost: the DocumentHost the panel uses inside the VS Code webview (Continue's `MessageIde`). The webview
 * cannot touch documents or files, so every call is a request to the extension, where VsCodeHost answers it.
 * Errors arrive as data and are rebuilt as Errors with the extension's message, which is worded for the writer.
 */
import type {
  ApplyResult,
  AuditRecord,
  AuditTrail,
  DocumentHost,
  HostCapabilities,
  InsertionPlan,
  ReviewReport,
  SelectionSnapshot,
  TableRead,
} from '../../shared/host/port';
import type { HostProtocol } from '../../shared/protocol/host';
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope } from '../../shared/wording';
import { RpcClient, type Endpoint, type WireError } from '../../shared/protocol/rpc';

/** The error a MessageHost call rejects with: the extension's message, its code kept for diagnostics. */
export class HostCallError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
    this.name = 'HostCallError';
  }
}

/** {@link DocumentHost} by proxy to the extension. */
export class MessageHost implements DocumentHost {
  readonly client: RpcClient<HostProtocol>;

  constructor(endpoint: Endpoint) {
    this.client = new RpcClient<HostProtocol>(endpoint, (wire) => new HostCallError(wire));
  }

  capabilities(): Promise<HostCapabilities> {
    return this.client.request('host/capabilities', undefined);
  }

  readSelection(): Promise<SelectionSnapshot> {
    return this.client.request('selection/read', undefined);
  }

  onSelectionChanged(listener: () => void): () => void {
    return this.client.on('selection/changed', () => listener());
  }

  readTable(): Promise<TableRead> {
    return this.client.request('table/read', undefined);
  }

  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    return this.client.request('document/apply', { plans: [...plans] });
  }

  saveAudit(records: readonly AuditRecord[]): Promise<void> {
    return this.client.request('audit/save', { records: [...records] });
  }

  readAudit(): Promise<AuditRecord[]> {
    return this.client.request('audit/read', undefined);
  }

  readAuditTrail(): Promise<AuditTrail> {
    return this.client.request('audit/trail', undefined);
  }

  readReview(records: readonly AuditRecord[]): Promise<ReviewReport> {
    return this.client.request('audit/review', { records: [...records] });
  }

  readWording(scope: WordingScope): Promise<WordingRead> {
    return this.client.request('wording/read', { scope });
  }

  applyWording(request: WordingApplyRequest): Promise<WordingApplyResult> {
    return this.client.request('wording/apply', { ...request, suggestions: [...request.suggestions], checked: [...request.checked] });
  }
}
