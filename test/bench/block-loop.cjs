// Preload for the bench (`node --require block-loop.cjs bin/softphone.js …`): busy-waits on the MAIN
// thread every BENCH_BLOCK_EVERY_MS for BENCH_BLOCK_MS, so a run shows whether media keeps its pace
// while the event loop is stuck — without changing the product. Does nothing unless BENCH_BLOCK_MS > 0.
'use strict';
const { isMainThread } = require('node:worker_threads');
const fs = require('node:fs');
const { pbkdf2Sync } = require('node:crypto');

const blockMs = Number(process.env.BENCH_BLOCK_MS ?? 0);
const everyMs = Number(process.env.BENCH_BLOCK_EVERY_MS ?? 2000);
// Where to tell the bench how much CPU the busy-wait itself burnt, so it can be taken out of the
// product's CPU figure: "<spinning 0|1> <ticks spent spinning so far> <spins so far>".
const reportPath = process.env.BENCH_BLOCK_REPORT;

// Node also runs --require preloads in worker threads: only the main thread is to be blocked.
if (isMainThread && Number.isFinite(blockMs) && blockMs > 0 && Number.isFinite(everyMs) && everyMs > blockMs) {
  let spentTicks = 0;
  let spins = 0;

  // CPU ticks (utime + stime) of this thread only: fields 14 and 15 of /proc/thread-self/stat,
  // counted after the ")" that ends the command name (which may itself hold spaces).
  const threadTicks = () => {
    try {
      const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f[11]) + Number(f[12]);
    } catch {
      return 0;
    }
  };
  const report = (spinning) => {
    if (!reportPath) return;
    try {
      fs.writeFileSync(reportPath, `${spinning ? 1 : 0} ${spentTicks} ${spins}\n`);
    } catch {
      // The bench reads what it can; a failed write must not take the phone down.
    }
  };

  const spin = () => {
    report(true);
    const before = threadTicks();
    const end = performance.now() + blockMs;
    // Really busy (not Atomics.wait): the thread is on a CPU and cannot run callbacks. The work is
    // slices of native hashing (~6 ms each here, so a block may overrun by one slice) rather than a
    // tight JS loop: a hot JS loop gets compiled by TurboFan, which alone grew the process's peak RSS
    // by ~6 MB, memory the bench would then charge to the product. ~50 calls per block do not.
    while (performance.now() < end) pbkdf2Sync('block', 'loop', 40_000, 32, 'sha256');
    spentTicks += threadTicks() - before;
    spins += 1;
    report(false);
  };
  report(false);
  // unref: the blocker must never keep a finished phone alive.
  setInterval(spin, everyMs).unref();
}
