// `softphone ui` options.
import { describe, expect, it } from 'vitest';
import { parseUiArgs } from '../../../src-main/web/ui-args';

describe('ui args', () => {
  it('has defaults and reads every option, with = or a separate value', () => {
    expect(parseUiArgs([])).toEqual({ ok: true, args: { port: 0, open: false, logLevel: 'info', help: false } });
    expect(parseUiArgs(['--port', '8080', '--open', '--data-dir=/tmp/sp', '--sip-port=5070', '--bind', '127.0.0.1', '--log-level', 'debug'])).toEqual({
      ok: true,
      args: { port: 8080, open: true, dataDir: '/tmp/sp', sipPort: 5070, bind: '127.0.0.1', logLevel: 'debug', help: false },
    });
  });

  it('explains what is wrong', () => {
    expect(parseUiArgs(['--port', '70000'])).toEqual({ ok: false, message: '--port must be between 1 and 65535 (or 0: any free port), got 70000' });
    expect(parseUiArgs(['--port', '-1'])).toEqual({ ok: false, message: '--port must be between 1 and 65535 (or 0: any free port), got -1' });
    expect(parseUiArgs(['--sip-port', 'x'])).toEqual({ ok: false, message: '--sip-port must be a whole number between 1 and 65535 (or 0: any free port), got "x"' });
    expect(parseUiArgs(['--port'])).toEqual({ ok: false, message: '--port needs a port number' });
    expect(parseUiArgs(['--prot', '8080'])).toEqual({ ok: false, message: 'unknown option: --prot (did you mean --port?)' });
    expect(parseUiArgs(['--data-dir'])).toEqual({ ok: false, message: '--data-dir needs a folder' });
    expect(parseUiArgs(['--bogus'])).toEqual({ ok: false, message: 'unknown option: --bogus' });
    expect(parseUiArgs(['--log-level', 'loud'])).toMatchObject({ ok: false });
  });
});
