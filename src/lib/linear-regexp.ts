/**
 * Regular expressions that users send (the LIKE and UNLIKE constraints of jobs) run on V8's
 * linear-time engine, the `l` flag. On the default, backtracking engine a pattern such as
 * `(.|.|.)*x` takes exponential time in the length of the text (hours for a 40-character
 * hostname) and one such job would freeze the scheduler. The engine sits behind a V8 flag,
 * turned on here before the first use. What it cannot run (backreferences, lookarounds, large
 * counted repetitions) is a SyntaxError, which validation reports as a field error.
 */
import { setFlagsFromString } from 'node:v8';

let engineOn = false;

/** `source` compiled for the linear-time engine; throws a SyntaxError when it is not a regular expression it can run. */
export function linearRegExp(source: string): RegExp {
  if (!engineOn) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    engineOn = true;
  }
  return new RegExp(source, 'l');
}

/** Why `source` cannot be used, in words that follow the pattern; null when it can. */
export function linearRegExpProblem(source: string): string | null {
  try {
    linearRegExp(source);
    return null;
  } catch (error) {
    const reason = (error as Error).message.split(': ').pop() ?? 'invalid';
    return /linear time/.test(reason)
      ? 'needs backtracking (a backreference, a lookaround or a large counted repetition), which could take exponential time'
      : `is not a valid regular expression (${reason})`;
  }
}
