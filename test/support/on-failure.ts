// Prints the peers' events and logs when the current test fails (and only then), to find out why.
import { onTestFailed } from 'vitest';

export type Describable = { describe(): string } | { log(): string } | (() => string);

/** Call inside a test, after starting the peers. */
export function printOnFailure(...items: Describable[]): void {
  onTestFailed(() => {
    for (const item of items) {
      let text: string;
      if (typeof item === 'function') text = item();
      else if ('describe' in item) text = item.describe();
      else text = `--- log ---\n${item.log().slice(-8000)}`;
      console.error(text);
    }
  });
}
