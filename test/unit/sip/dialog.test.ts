import { describe, expect, it } from 'vitest';
import { applyRouteSet, Dialog, dialogId, hopOf } from '../../../src-main/sip/dialog';
import { createResponse } from '../../../src-main/sip/sip-headers';
import type { SipRequest } from '../../../src-main/sip/sip-message';

function invite(): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:bob@example.com',
    headers: {
      via: [{ protocol: 'UDP', host: '192.0.2.10', port: 5060, params: { branch: 'z9hG4bK1' } }],
      to: { name: '"Bob"', uri: 'sip:bob@example.com', params: {} },
      from: { name: '"Alice"', uri: 'sip:alice@example.com', params: { tag: 'atag' } },
      'call-id': 'cid1',
      cseq: { seq: 7, method: 'INVITE' },
      contact: [{ uri: 'sip:alice@192.0.2.10:5060', params: {} }],
    },
  };
}

describe('hopOf (RFC 3263 next hop)', () => {
  it('takes host and port, maddr overrides the host, IPv6 loses its brackets', () => {
    expect(hopOf('sip:bob@example.com')).toEqual({ host: 'example.com' });
    expect(hopOf('sip:bob@127.0.0.1:5062;transport=udp')).toEqual({ host: '127.0.0.1', port: 5062, transport: 'udp' });
    // RFC 3263 §4.1: the transport parameter and the sips scheme go along to the resolver.
    expect(hopOf('sips:bob@example.com;transport=TCP')).toEqual({ host: 'example.com', transport: 'TCP', secure: true });
    expect(hopOf('sip:proxy.example.com;lr;maddr=198.51.100.9')).toEqual({ host: '198.51.100.9' });
    expect(hopOf('sip:[2001:db8::1]:5070')).toEqual({ host: '2001:db8::1', port: 5070 });
    expect(hopOf('not a uri')).toBeNull();
  });
});

describe('applyRouteSet (RFC 3261 §12.2.1.1)', () => {
  it('no route set: straight to the target', () => {
    expect(applyRouteSet('sip:bob@192.0.2.20', [])).toEqual({ uri: 'sip:bob@192.0.2.20', route: [], nextHop: 'sip:bob@192.0.2.20' });
  });
  it('loose router first: Request-URI is the target, Route is the whole set, next hop the first route', () => {
    const r = applyRouteSet('sip:bob@192.0.2.20', ['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    expect(r.uri).toBe('sip:bob@192.0.2.20');
    expect(r.route.map((e) => e.uri)).toEqual(['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    expect(r.nextHop).toBe('sip:p1.example.com;lr');
  });
  it('strict router first: Request-URI is that router, the target goes last in Route', () => {
    const r = applyRouteSet('sip:bob@192.0.2.20', ['sip:strict.example.com;method=INVITE', 'sip:p2.example.com;lr']);
    expect(r.uri).toBe('sip:strict.example.com');
    expect(r.route.map((e) => e.uri)).toEqual(['sip:p2.example.com;lr', 'sip:bob@192.0.2.20']);
    expect(r.nextHop).toBe('sip:strict.example.com;method=INVITE');
  });
});

describe('Dialog', () => {
  it('UAC: id from Call-ID and tags, route set = Record-Route reversed, remote target = Contact (§12.1.2)', () => {
    const inv = invite();
    const ok = createResponse(inv, 200, {
      toTag: 'btag',
      headers: {
        contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }],
        'record-route': [
          { uri: { schema: 'sip', host: 'p2.example.com', port: Number.NaN, params: { lr: null } }, params: {} },
          { uri: 'sip:p1.example.com;lr', params: {} },
        ],
      },
    });
    const d = Dialog.asUac(inv, ok);
    expect(d).not.toBeNull();
    if (!d) return;
    expect(d.id).toBe(dialogId('cid1', 'atag', 'btag'));
    expect(d.routeSet).toEqual(['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    expect(d.remoteTarget).toBe('sip:bob@203.0.113.5:5062');
    expect(d.localSeq).toBe(7);

    const { request, nextHop } = d.createRequest('BYE');
    expect(request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(request.headers.route?.map((r) => r.uri)).toEqual(['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    expect(nextHop).toBe('sip:p1.example.com;lr');
    expect(request.headers.cseq).toEqual({ seq: 8, method: 'BYE' });
    expect(request.headers.to).toEqual({ name: '"Bob"', uri: 'sip:bob@example.com', params: { tag: 'btag' } });
    expect(request.headers.from).toEqual({ name: '"Alice"', uri: 'sip:alice@example.com', params: { tag: 'atag' } });
    expect(request.headers['call-id']).toBe('cid1');
    expect(request.headers['max-forwards']).toBe(70);
  });

  it('ACK reuses the INVITE CSeq number; other requests count up', () => {
    const inv = invite();
    const d = Dialog.asUac(inv, createResponse(inv, 200, { toTag: 'btag', headers: { contact: [{ uri: 'sip:bob@203.0.113.5', params: {} }] } }));
    if (!d) throw new Error('no dialog');
    expect(d.createRequest('ACK', { seq: 7 }).request.headers.cseq).toEqual({ seq: 7, method: 'ACK' });
    expect(d.createRequest('INVITE').request.headers.cseq.seq).toBe(8);
    expect(d.createRequest('BYE').request.headers.cseq.seq).toBe(9);
  });

  it('no To tag in the 2xx: no dialog', () => {
    const inv = invite();
    expect(Dialog.asUac(inv, createResponse(inv, 200, { toTag: null }))).toBeNull();
  });

  it('UAS: route set in Record-Route order, remote target from Contact, our CSeq starts at 1 (§12.1.1)', () => {
    const inv = invite();
    inv.headers['record-route'] = [
      { uri: 'sip:p1.example.com;lr', params: {} },
      { uri: 'sip:p2.example.com;lr', params: {} },
    ];
    const d = Dialog.asUas(inv, 'btag');
    expect(d.id).toBe(dialogId('cid1', 'btag', 'atag'));
    expect(d.routeSet).toEqual(['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
    const { request } = d.createRequest('BYE');
    expect(request.uri).toBe('sip:alice@192.0.2.10:5060');
    expect(request.headers.cseq.seq).toBe(1);
    expect(request.headers.from.params.tag).toBe('btag');
    expect(request.headers.to.params.tag).toBe('atag');
  });

  it('rejects out-of-order remote CSeq, accepts ACK with the INVITE number (§12.2.2)', () => {
    const inv = invite();
    const d = Dialog.asUas(inv, 'btag');
    const req = (method: string, seq: number): SipRequest => ({ ...inv, method, headers: { ...inv.headers, cseq: { seq, method } } });
    expect(d.acceptRemoteCSeq(req('ACK', 7))).toBe(true);
    expect(d.acceptRemoteCSeq(req('BYE', 7))).toBe(false);
    expect(d.acceptRemoteCSeq(req('INVITE', 8))).toBe(true);
    expect(d.acceptRemoteCSeq(req('BYE', 8))).toBe(false);
    expect(d.acceptRemoteCSeq(req('BYE', 9))).toBe(true);
  });

  it('target refresh takes a new Contact', () => {
    const inv = invite();
    const d = Dialog.asUas(inv, 'btag');
    d.refreshTarget({ ...inv, headers: { ...inv.headers, contact: [{ uri: 'sip:alice@192.0.2.99:5080', params: {} }] } });
    expect(d.createRequest('BYE').request.uri).toBe('sip:alice@192.0.2.99:5080');
  });
});
