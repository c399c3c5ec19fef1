/** jsdom lacks matchMedia and ResizeObserver, which Fluent (MessageBar reflow, charts) asks for. */

/** Installs no-op ones where missing. Call in beforeEach of a jsdom test that renders Fluent components. */
export function installJsdomShims(): void {
  window.matchMedia ??= ((query: string) => ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined, addListener: () => undefined, removeListener: () => undefined, onchange: null, dispatchEvent: () => false })) as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
}
