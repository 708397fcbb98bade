// An app core with the real user agent on 127.0.0.1 and no media, for signalling-only integration tests
// (presence, message-waiting, messages), and an X-Lite-style account form for it.
import { asSoftphoneApi, createAppCore, type AppCore } from '../../src-main/app-core/app-core';
import type { AccountForm, SoftphoneApi } from '../../src-main/ipc/contract';
import { createPlainSecretBox } from '../../src-main/settings/secret-box';
import { createMemoryStore } from '../../src-main/settings/settings-store';
import { createUserAgent } from '../../src-main/sip/user-agent.node';

/** Started; `sipPort` is the default account's SIP port. Shut it down in the test's clean-up. */
export async function startSignallingCore(sipPort: number): Promise<{ core: AppCore; api: SoftphoneApi }> {
  const core = createAppCore({
    store: createMemoryStore(),
    secretBox: createPlainSecretBox(),
    createUserAgent,
    createMedia: () => {
      throw new Error('no media in this test');
    },
    listAudioDevices: () => [],
    sipPortOverride: sipPort,
    bindAddress: '127.0.0.1',
    version: 'test',
  });
  await core.start();
  return { core, api: asSoftphoneApi(core) };
}

/** Registers with the domain, sends via the domain, 600 s; `extra` overrides any field. */
export function accountForm(accountName: string, userId: string, domain: string, extra: Partial<AccountForm> = {}): AccountForm {
  return {
    accountName,
    userId,
    domain,
    password: 'pw',
    displayName: '',
    authorizationName: '',
    registerWithDomain: true,
    sendOutboundVia: 'domain',
    proxyAddress: '',
    dialPlan: '',
    registerExpires: 600,
    ...extra,
  };
}
