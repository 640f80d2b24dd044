import { spawnScript } from '../../../test/support/cli.js';

export type PipeResult = {
  tapCode: number | null;
  targetCode: number | null;
  tapStderr: string;
  targetStderr: string;
  /** The state lines the target printed. */
  states: unknown[];
};

/** `tap-pennylane ARGS | target-postgres`, both spawned from source, the pipe with back-pressure. */
export async function tapToTarget(tapArgs: string[], env: NodeJS.ProcessEnv): Promise<PipeResult> {
  const tap = spawnScript('tap-pennylane/src/cli.ts', tapArgs, { env });
  const target = spawnScript('target-postgres/src/cli.ts', [], { env });
  tap.stdout!.pipe(target.stdin!);
  let tapStderr = '';
  let targetStderr = '';
  let targetStdout = '';
  tap.stderr!.setEncoding('utf8').on('data', (d: string) => {
    tapStderr += d;
  });
  target.stderr!.setEncoding('utf8').on('data', (d: string) => {
    targetStderr += d;
  });
  target.stdout!.setEncoding('utf8').on('data', (d: string) => {
    targetStdout += d;
  });
  const exit = (child: typeof tap) =>
    new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const [tapCode, targetCode] = await Promise.all([exit(tap), exit(target)]);
  const states = targetStdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  return { tapCode, targetCode, tapStderr, targetStderr, states };
}
