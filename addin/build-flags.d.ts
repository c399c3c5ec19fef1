/**
 * Build-time flags, replaced by webpack's DefinePlugin (webpack.config.ts). Read them behind
 * `typeof X !== 'undefined'` so code also runs unbundled (vitest), where they are not defined.
 */
/** True in test and development builds: the pages honour `window.__LIUHEN_TEST__` and `?registry=`. */
declare const __LIUHEN_TEST_SEAMS__: boolean;
