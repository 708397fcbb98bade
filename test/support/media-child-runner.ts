// Builds test/support/media-child.ts into a plain Node script (esbuild, like the product bundle) and runs
// it as a child process driven over IPC: a MediaSession in another process, outside vitest.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { ChildCommand, ChildEvent, ChildReply } from './media-child';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles the child program into `dir` and returns its path. */
export async function buildMediaChild(dir: string): Promise<string> {
  const outfile = join(dir, 'media-child.cjs');
  await build({
    absWorkingDir: repoRoot,
    entryPoints: ['test/support/media-child.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['naudiodon', 'segfault-handler'],
    logLevel: 'warning',
  });
  return outfile;
}

export interface MediaChild {
  request<T = unknown>(command: ChildCommand, timeoutMs?: number): Promise<T>;
  events: ChildEvent[];
  /** stdout + stderr so far (naudiodon and ALSA are chatty), for failure messages. */
  output(): string;
  /** Waits for the child to exit, killing it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts the bundled child with the repository as working directory (it finds dist/media-worker.js there). */
export function startMediaChild(script: string, env: NodeJS.ProcessEnv = process.env): MediaChild {
  // The bundle sits in a temp dir: native externals (naudiodon) resolve from the repository's modules.
  const childEnv = { ...env, NODE_PATH: join(repoRoot, 'node_modules') };
  const child: ChildProcess = fork(script, [], { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const events: ChildEvent[] = [];
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  let exited = false;
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      exited = true;
      for (const w of waiting.values()) w.reject(new Error(`media child exited (${code}) before answering:\n${out.slice(-2000)}`));
      waiting.clear();
      r(code);
    }),
  );
  child.on('message', (m: ChildReply | ChildEvent) => {
    if ('event' in m) {
      events.push(m);
      return;
    }
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!w) return;
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(m.error));
  });
  return {
    events,
    output: () => out,
    request<T>(command: ChildCommand, timeoutMs = 15_000): Promise<T> {
      if (exited) return Promise.reject(new Error('media child has exited'));
      const id = next++;
      return new Promise<T>((resolveReq, rejectReq) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          rejectReq(new Error(`media child: no answer to ${command.cmd} in ${timeoutMs} ms:\n${out.slice(-2000)}`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => (clearTimeout(timer), resolveReq(v as T)),
          reject: (e) => (clearTimeout(timer), rejectReq(e)),
        });
        child.send({ id, ...command });
      });
    },
    async stop(timeoutMs = 5000): Promise<number | null> {
      if (exited) return exit;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
