// One Registerer set up for the fake network and clock, shared by the registerer test files.
import { Registerer, type RegistererOptions } from '../../../src-main/sip/registerer';
import type { RegistrationState } from '../../../src-main/sip/user-agent-api';
import type { FakeClock, FakeTransport } from './fake-sip-network';

/** alice@example.com with password "secret", 300 s, every state pushed to `states`; `extra` overrides. */
export function testRegisterer(net: FakeTransport, clock: FakeClock, states: RegistrationState[], extra: Partial<RegistererOptions> = {}): Registerer {
  return new Registerer({
    transport: net,
    clock,
    aor: 'sip:alice@example.com',
    registrar: 'sip:example.com',
    contactUser: 'alice',
    credentials: { username: 'alice', password: 'secret' },
    expires: 300,
    userAgent: 'test',
    onState: (s) => states.push(s),
    ...extra,
  });
}
