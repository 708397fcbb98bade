// The 12-key telephone keypad (ITU-T E.161 letters) and which keyboard keys map onto it.

export type DialKey = '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '0' | '#';

export interface KeypadKey {
  key: DialKey;
  letters: string;
}

/** Row by row as on a phone: 1 2 3 / 4 5 6 / 7 8 9 / * 0 #. */
export const KEYPAD: readonly KeypadKey[] = [
  { key: '1', letters: '' },
  { key: '2', letters: 'ABC' },
  { key: '3', letters: 'DEF' },
  { key: '4', letters: 'GHI' },
  { key: '5', letters: 'JKL' },
  { key: '6', letters: 'MNO' },
  { key: '7', letters: 'PQRS' },
  { key: '8', letters: 'TUV' },
  { key: '9', letters: 'WXYZ' },
  { key: '*', letters: '' },
  { key: '0', letters: '+' },
  { key: '#', letters: '' },
];

const DIAL_KEYS = new Set<string>(KEYPAD.map((k) => k.key));

export function isDialKey(key: string): key is DialKey {
  return DIAL_KEYS.has(key);
}

/** True when a key event is aimed at a text field (or uses a modifier) and must not drive the keypad. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return false;
}
