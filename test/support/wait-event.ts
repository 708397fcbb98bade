// One bounded wait for an app-core event whose payload matches, shared by the in-process integration tests.

/** Resolves with the first event payload matching `match`; rejects after `ms` with the last payload seen. */
export function waitEvent<T>(subscribe: (listener: (p: T) => void) => () => void, match: (p: T) => boolean, what: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let last: T | undefined;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${ms} ms; last ${JSON.stringify(last)?.slice(0, 800)}`));
    }, ms);
    const off = subscribe((p) => {
      last = p;
      if (!match(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}
