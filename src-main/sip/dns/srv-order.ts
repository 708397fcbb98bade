// RFC 2782 target selection: SRV records ordered by priority, and within a priority by weighted random
// choice, so a domain's servers share the load as its operator asked. Pure (the random source is injected).

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  /** Target host name; "." = the service is decidedly not available at this domain (RFC 2782). */
  name: string;
}

/**
 * The order in which to try `records` (RFC 2782, "Usage rules"): lowest priority first; inside one
 * priority, repeatedly "compute the sum of the weights of those RRs, and with each RR associate the
 * running sum in the selected order. Then choose a uniform random number between 0 and the sum computed
 * (inclusive), and select the RR whose running sum value is the first in the selected order which is
 * greater than or equal to the random number", zero-weight records placed first so they keep a small
 * chance. `random` returns [0, 1) like Math.random.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const out: SrvRecord[] = [];
  for (const p of priorities) {
    const group = records.filter((r) => r.priority === p);
    // Zero weights first, others in their given order (the spec's "selected order").
    const left = [...group.filter((r) => r.weight === 0), ...group.filter((r) => r.weight > 0)];
    while (left.length > 0) {
      const sum = left.reduce((s, r) => s + r.weight, 0);
      const pick = Math.min(sum, Math.floor(random() * (sum + 1)));
      let running = 0;
      let index = left.length - 1;
      for (let i = 0; i < left.length; i++) {
        running += (left[i] as SrvRecord).weight;
        if (running >= pick) {
          index = i;
          break;
        }
      }
      out.push(...left.splice(index, 1));
    }
  }
  return out;
}
