/**
 * vitest setup: property tests explore new random inputs on every local run, but CI (CI=true) replays one fixed
 * seed, so a landing run is reproducible. `FC_SEED=<n>` replays any seed (fast-check prints it on a failure).
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261201' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
