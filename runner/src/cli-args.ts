/** What the runner's two commands (`pennylane-sync`, `pennylane-scheduler`) share on their command line. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { redact } from '../../singer/src/log.js';
import { packageVersion } from '../../singer/src/paths.js';
import { ConfigError } from '../../singer/src/settings.js';

/** The command's parser with `--dotenv`, `--version`, `--help`; unknown options are a usage error. */
export const runnerArgs = (scriptName: string, usage: string) =>
  yargs(hideBin(process.argv))
    .scriptName(scriptName)
    .usage(usage)
    .option('dotenv', {
      type: 'string',
      default: '.env',
      describe: 'Settings file loaded into the environment',
    })
    .version(packageVersion)
    .strict()
    .fail((msg, err) => {
      throw err ?? new ConfigError(`${msg} (see --help)`);
    })
    .help();

/** Runs `main` and exits with its code; an error is one redacted line, exit 2 for usage or configuration. */
export function runMain(scriptName: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${scriptName}: error: ${redact(err.message)}\n`);
      process.exit(err.name === 'ConfigError' || err.name === 'YError' ? 2 : 1);
    },
  );
}
