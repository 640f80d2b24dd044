import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../singer/src/paths.js';

export type Program = 'tap-pennylane' | 'target-postgres';

/** True when this code runs from TypeScript source (tsx), false from the compiled dist/ tree. */
export const runningFromSource = import.meta.url.endsWith('.ts');

/**
 * How to start one of our programs: from source through tsx when the runner itself runs from source
 * (`npm run sync`), from dist/ when it is compiled (the `pennylane-sync` bin), so the two never mix.
 */
export function programCommand(
  name: Program,
  fromSource = runningFromSource,
): { command: string; args: string[] } {
  if (fromSource) {
    return { command: process.execPath, args: ['--import', 'tsx', join(packageRoot, name, 'src', 'cli.ts')] };
  }
  const script = join(packageRoot, 'dist', name, 'src', 'cli.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  return { command: process.execPath, args: [script] };
}
