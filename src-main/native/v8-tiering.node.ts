// Switches V8's optimising compiler (TurboFan) off while every call of the process runs on the native
// engine, and back on when a call needs the worker thread (issue 12: memory of the headless core).
//
// Why: with the native engine a call's JavaScript is a 100 ms pump and the SIP messages, a few hundred
// microseconds a second; the interpreter and the baseline compiler carry that at no measurable CPU cost.
// But the first function V8 optimises pages in ~4 MB of the compiler's own machine code from the node
// binary (and its zones): measured 58.8 -> 55.0 MB peak RSS for `softphone listen` with one call, the
// CPU per call-minute unchanged within the noise. The worker engine runs the media path in JavaScript,
// which does need TurboFan, so it is switched back on before a worker call starts.
//
// Node keeps V8's flags writable after start-up (v8.setFlagsFromString is public API); --opt is read
// each time V8 considers optimising a function, so the switch takes effect from then on.
// SOFTPHONE_V8_OPT=1 leaves the compiler on (to compare).

let switchedOff = false;

function setV8Flag(flag: string): boolean {
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(flag);
    return true;
  } catch {
    return false;
  }
}

/** No more optimised code from now on; true when the flag was set. */
export function stopOptimisingCompiler(env: NodeJS.ProcessEnv = process.env): boolean {
  if (switchedOff || env['SOFTPHONE_V8_OPT'] === '1') return switchedOff;
  switchedOff = setV8Flag('--no-opt');
  return switchedOff;
}

/** The optimising compiler back (a call is about to run its media in JavaScript). */
export function allowOptimisingCompiler(): void {
  if (!switchedOff) return;
  if (setV8Flag('--opt')) switchedOff = false;
}

export function optimisingCompilerStopped(): boolean {
  return switchedOff;
}
