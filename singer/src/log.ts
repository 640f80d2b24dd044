/**
 * Logs go to stderr (stdout carries data). Every line passes through redaction, so a token or password
 * that slips into an error message from a library is masked before it is printed.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = (): number =>
  ORDER[(process.env.LOG_LEVEL?.toLowerCase() as Level) ?? 'info'] ?? ORDER.info;

export type Logger = Record<Level, (message: string) => void>;

export function createLogger(
  component: string,
  sink: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (level: Level) => (message: string) => {
    if (ORDER[level] < threshold()) return;
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${component}: ${redact(message)}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
