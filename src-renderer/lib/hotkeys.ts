// Window-wide keyboard shortcuts (issue 11: "20 Tab presses to reach Answer"): which action a key
// press asks for, given what is on screen. Pure; App.svelte wires it to the call actions.
import { isTypingTarget } from './dialpad-keys';

export type HotkeyAction = 'answer' | 'decline' | 'hangup' | 'dismiss' | 'help' | 'addCall' | 'cancelAdd' | 'clearDial';

export interface HotkeyContext {
  /** An incoming call is ringing here. */
  ringing: boolean;
  /** A call is being set up or connected. */
  active: boolean;
  /** An ended call's card is still on screen. */
  endedShown: boolean;
  /** Issue 11: a connected call is on screen and no call is being added ("+" holds it and opens the dial field). */
  canAddCall?: boolean;
  /** Issue 11: a call is being added (the held call waits, the dial field shows). */
  adding?: boolean;
  /** The dial field is empty (with `adding`, Esc then cancels instead of clearing it). */
  dialEmpty?: boolean;
}

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** The dial field is a text field, but Enter/Esc there still mean "answer"/"hang up" while a call rings. */
const DIAL_FIELD_ID = 'dial-target';

export function hotkeyFor(e: KeyPress, ctx: HotkeyContext): HotkeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const el = typeof Element !== 'undefined' && e.target instanceof Element ? e.target : null;
  // A modal dialog (settings, this help) owns its keys, Esc included.
  if (el?.closest('[role="dialog"], dialog')) return null;
  const inDialField = el?.id === DIAL_FIELD_ID;
  const typing = isTypingTarget(e.target) && !inDialField;
  if (e.key === 'F1') return 'help';
  if (e.key === '?') return typing || inDialField ? null : 'help';
  // "+" is text in the dial field (+82…), so only on the page; it is not a keypad key (dialpad-keys.ts).
  if (e.key === '+') return typing || inDialField || !ctx.canAddCall ? null : 'addCall';
  if (e.key === 'Enter') {
    // A focused button, link or tab keeps Enter for itself; a text field other than the dial field too.
    if (!ctx.ringing || typing) return null;
    if (!inDialField && el?.closest('button, a[href], select, [role="tab"], summary')) return null;
    return 'answer';
  }
  if (e.key === 'Escape') {
    // A search box clears itself with Esc (HTML's search input).
    if (el?.closest('input[type="search"]')) return null;
    if (ctx.ringing) return 'decline';
    // Adding a call, Esc never hangs up the held call: it clears what is typed, then leaves "Add call".
    if (ctx.adding) return ctx.dialEmpty ? 'cancelAdd' : 'clearDial';
    if (ctx.active) return 'hangup';
    if (ctx.endedShown) return 'dismiss';
  }
  return null;
}
