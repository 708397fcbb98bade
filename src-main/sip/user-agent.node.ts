// createUserAgent: the SIP user agent for the app, CLI and tests — the pure core (user-agent-core.ts)
// on the real UDP stack (sip-stack.node.ts) and the real clock.

import { createSipStack } from './sip-stack.node';
import { systemClock } from './sip-clock';
import { UserAgentCore } from './user-agent-core';
import { createLogger } from '../util/logger';
import type { UserAgent, UserAgentConfig } from './user-agent-api';

export function createUserAgent(config: UserAgentConfig): UserAgent {
  const log = createLogger('sip');
  // The account's transport and CA win; without an account (direct-IP mode) the CLI's.
  const sipTransport = config.account?.transport ?? config.transport;
  const caFile = config.account?.caFile || config.caFile;
  const transport = createSipStack({
    bindAddress: config.bindAddress ?? '0.0.0.0',
    port: config.port,
    logger: log.child('stack'),
    ...(config.dnsServers && config.dnsServers.length > 0 ? { dnsServers: config.dnsServers } : {}),
    ...(config.sipT1Ms !== undefined ? { timers: { t1Ms: config.sipT1Ms } } : {}),
    ...(sipTransport ? { transport: sipTransport } : {}),
    ...(caFile ? { caFile } : {}),
  });
  return new UserAgentCore({ transport, clock: systemClock, config, log });
}
