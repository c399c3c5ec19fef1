/**
 * shared/wording: "Check wording" — suggestions on the writer's own text (term scan + personal-data detection),
 * with category, reason and what to write instead. Hosts render them as tracked changes + comments (Word),
 * refactor-preview entries (VS Code) or marked-up text (playground).
 */
export * from './check';
export * from './host';
