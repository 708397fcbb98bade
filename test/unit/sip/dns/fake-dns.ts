// A DNS answering from a fixture zone, recording the questions asked (for the RFC 3263 unit tests).
import type { DnsQueries, NaptrRecord } from '../../../../src-main/sip/dns/server-location';
import type { SrvRecord } from '../../../../src-main/sip/dns/srv-order';

export interface Zone {
  naptr?: Record<string, NaptrRecord[]>;
  srv?: Record<string, SrvRecord[]>;
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  /** Names whose queries get no answer (like a timeout or SERVFAIL). */
  failing?: string[];
}

export class FakeDns implements DnsQueries {
  readonly asked: string[] = [];
  constructor(private readonly zone: Zone) {}
  private answer<T>(kind: string, name: string, table: Record<string, T[]> | undefined): Promise<T[]> {
    this.asked.push(`${kind} ${name}`);
    if (this.zone.failing?.includes(name)) return Promise.reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' }));
    return Promise.resolve(table?.[name] ?? []);
  }
  naptr(name: string): Promise<NaptrRecord[]> {
    return this.answer('NAPTR', name, this.zone.naptr);
  }
  srv(name: string): Promise<SrvRecord[]> {
    return this.answer('SRV', name, this.zone.srv);
  }
  addresses(name: string, family: 4 | 6): Promise<string[]> {
    return this.answer(family === 4 ? 'A' : 'AAAA', name, family === 4 ? this.zone.a : this.zone.aaaa);
  }
}

export function naptr(order: number, preference: number, service: string, replacement: string, flags = 's', regexp = ''): NaptrRecord {
  return { order, preference, flags, service, regexp, replacement };
}

export function srv(priority: number, weight: number, port: number, name: string): SrvRecord {
  return { priority, weight, port, name };
}
