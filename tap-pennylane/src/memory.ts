import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings that keep the tap's resident memory near what it really holds (docs/decisions/
 * tap-pennylane.md, "Memory"). Each was measured on a full sync of the large sandbox; none lowers a
 * limit, so a run that needs more memory still gets it (no new out-of-memory case):
 *
 * - `--heap-growing-percent=30`: after a full GC the old generation may grow to 1.3× what survived
 *   before the next one, instead of V8's dynamic factor of up to 4×. The tap streams: its live heap
 *   stays around 25–40 MB, but records waiting on the writer survive a young GC and are promoted, so
 *   with the default factor the old space filled with dead pages up to 100+ MB between full GCs.
 * - `--liftoff-only`: undici's HTTP parser is WebAssembly (llhttp); its optimizing compile (TurboFan)
 *   took ~33 MB of compiler memory for a moment, on every run. Liftoff, the baseline compiler, is
 *   fast enough for a parser fed a few hundred kB a second.
 *
 * Not kept: `--semi-space-growth-factor=1` (a young generation that never grows) took a further 17 MB
 * off the full sync's peak, but at 15 times as many young GCs: 53 s of pauses in a 230 s run, against
 * 20 s.
 *
 * Set with `v8.setFlagsFromString` when the CLI starts (first import of cli.ts), before any module is
 * loaded or any WebAssembly compiled: the heap flags are read at each GC, the WebAssembly one at
 * compile time. Command-line flags would need every launcher (npm's bin shim, Meltano, the runner,
 * a NAS's init script) to pass them.
 */
export const MEMORY_FLAGS = ['--heap-growing-percent=30', '--liftoff-only'];

export function applyMemoryFlags(): void {
  for (const flag of MEMORY_FLAGS) setFlagsFromString(flag);
}

applyMemoryFlags();
