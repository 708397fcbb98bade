// Recording files for calls that run at the same time (issue 11): a call records to the configured WAV
// unless another call still has that file open, then to out-2.wav, out-3.wav, ... (the lowest free),
// so two calls never write into one file. Pure bookkeeping.

/** "out.wav" for slot 1, "out-2.wav" for slot 2, ...; a name without an extension gets "-2" appended. */
export function numberedPath(path: string, index: number): string {
  if (index <= 1) return path;
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  if (dot > slash + 1) return `${path.slice(0, dot)}-${index}${path.slice(dot)}`;
  return `${path}-${index}`;
}

export class RecordSlots {
  private readonly inUse = new Set<string>();

  /** The file the next call records to; give it back with release() when that call's media closes. */
  take(path: string): string {
    for (let i = 1; ; i++) {
      const candidate = numberedPath(path, i);
      if (!this.inUse.has(candidate)) {
        this.inUse.add(candidate);
        return candidate;
      }
    }
  }

  release(path: string): void {
    this.inUse.delete(path);
  }
}
