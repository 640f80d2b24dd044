import { parseJsonText, withoutBom } from './json-text.js';

export class StateFileError extends Error {
  override name = 'StateFileError';
}

export type StateText = {
  /** The state value; undefined when the file holds none (an empty file: a first run). */
  value: unknown;
  /** How the file was read, when that is worth a log line (several lines, a Meltano wrapper…). */
  notes: string[];
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What to do about a state file we cannot read: it is the file's fault, and deleting it costs a full run. */
const FIX =
  'the state file is at fault, not the API: repair it, or delete it to make the next run a full run';

/**
 * The text of a `--state` file, in every form users and orchestrators hand it over:
 * - one JSON document, compact or pretty-printed (`jq .`, editors, Meltano writes it with indent=2),
 *   with or without a byte order mark, CRLF line ends and trailing blank lines;
 * - a target's whole stdout, one state value per line (`tap | target > state.json`): the last line wins,
 *   and lines that are Singer messages count only when they are STATE (their `value` is taken);
 * - `meltano state get`'s `{"singer_state": …}`, and a Meltano state backend file
 *   `{"completed": {"singer_state": …}, "partial": {…}}` (the partial state, when present, is the later
 *   one: this tap's every STATE is a whole snapshot).
 * Anything else is one error line naming the file (and the line), the party at fault and the fix.
 */
export function parseStateText(raw: string, file: string): StateText {
  const text = withoutBom(raw);
  const notes: string[] = [];
  if (text.trim() === '') {
    return { value: undefined, notes: [`state file ${file} is empty: this run is a first (full) run`] };
  }
  let value: unknown;
  const whole = parseJsonText(text);
  if (whole.ok) value = whole.value;
  else {
    const lines = text
      .split('\n')
      .map((t, i) => ({ text: t.trim(), number: i + 1 }))
      .filter((l) => l.text !== '');
    // A pretty-printed document's first line ("{") is not JSON on its own; a target's stdout's is.
    const linesForm = lines.length > 1 && parseJsonText(lines[0]!.text).ok;
    if (!linesForm) {
      throw new StateFileError(`state file ${file} is not valid JSON: ${whole.problem}; ${FIX}`);
    }
    let last: unknown;
    let found = false;
    for (const line of lines) {
      const parsed = parseJsonText(line.text);
      if (!parsed.ok) {
        throw new StateFileError(
          `state file ${file}, line ${line.number}: not valid JSON (${parsed.problem.replace(/ at line 1,/, ' at')}); ${FIX}`,
        );
      }
      const v = parsed.value;
      if (isObject(v) && typeof v.type === 'string') {
        if (v.type === 'STATE') {
          last = v.value;
          found = true;
        }
      } else {
        last = v;
        found = true;
      }
    }
    if (!found) {
      throw new StateFileError(
        `state file ${file} holds ${lines.length} Singer messages but no STATE; give the file the target printed (its last line), or delete it to make the next run a full run`,
      );
    }
    notes.push(`state file ${file} holds ${lines.length} lines: the last state in it is used`);
    value = last;
  }
  return { value: unwrapMeltano(value, file, notes), notes };
}

function unwrapMeltano(value: unknown, file: string, notes: string[]): unknown {
  if (!isObject(value)) return value;
  if ('singer_state' in value && !('bookmarks' in value)) {
    notes.push(`state file ${file}: Meltano's "singer_state" wrapper, its content is used`);
    return value.singer_state;
  }
  if (isObject(value.completed) && !('bookmarks' in value)) {
    const partial = isObject(value.partial) ? value.partial.singer_state : undefined;
    if (partial !== undefined && partial !== null) {
      notes.push(`state file ${file}: a Meltano state with a partial state, the partial (later) one is used`);
      return partial;
    }
    notes.push(`state file ${file}: a Meltano state, its completed state is used`);
    return value.completed.singer_state;
  }
  return value;
}
