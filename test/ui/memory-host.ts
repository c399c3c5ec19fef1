/** Test double of the DocumentHost port: an in-memory selection, recorded apply calls, configurable capabilities. */
import type { ApplyResult, AuditRecord, DocumentHost, HostCapabilities, InsertionPlan, SelectionSnapshot, TableRead } from '../../shared/host/port';

export class MemoryHost implements DocumentHost {
  selection: SelectionSnapshot = { text: '', anchor: 'cursor-0' };
  table: TableRead = { ok: false, reason: 'not-in-table', message: 'not in a table' };
  readonly applied: InsertionPlan[][] = [];
  readonly audit: AuditRecord[] = [];
  private listeners = new Set<() => void>();

  constructor(public caps: HostCapabilities = { name: 'Memory', suggestions: true, comments: true, tables: true, displayLanguage: 'zh-CN' }) {}

  /** The writer selects `text` (fires the selection listeners, like Word's SelectionChanged). */
  select(text: string, anchor = 'sel-1'): void {
    this.selection = { text, anchor };
    for (const l of this.listeners) l();
  }

  capabilities(): Promise<HostCapabilities> {
    return Promise.resolve(this.caps);
  }
  /** The document's text (for readDocumentStart); undefined: this host does not offer it. */
  documentText: string | undefined;
  readSelection(): Promise<SelectionSnapshot> {
    return Promise.resolve({ ...this.selection });
  }
  readDocumentStart(maxChars: number): Promise<string> {
    return this.documentText === undefined ? Promise.reject(new Error('no document text here')) : Promise.resolve(this.documentText.slice(0, maxChars));
  }
  onSelectionChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  readTable(): Promise<TableRead> {
    return Promise.resolve(this.table);
  }
  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    if (!this.caps.suggestions) return Promise.reject(new Error('no suggestions here'));
    this.applied.push([...plans]);
    for (const p of plans) if (p.audit) this.audit.push(p.audit);
    return Promise.resolve({ inserted: plans.map((p) => p.auditId), failed: [], roundTrips: 1 });
  }
  saveAudit(records: readonly AuditRecord[]): Promise<void> {
    this.audit.push(...records);
    return Promise.resolve();
  }
  readAudit(): Promise<AuditRecord[]> {
    return Promise.resolve([...this.audit]);
  }
}
