// Parses `softphone ui [--port N] [--open] [--data-dir D] [--sip-port N]` (pure: argv in, typed result out).

import { closestMatch } from '../cli/flag-checks';

export interface UiArgs {
  /** Web server port; 0 = a free one. */
  port: number;
  open: boolean;
  dataDir?: string;
  sipPort?: number;
  /** Address SIP and RTP bind to (default all). */
  bind?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  help: boolean;
}

export const UI_USAGE = `Usage: softphone ui [options]

Serves the softphone's UI on http://127.0.0.1 behind a random token and prints the URL (with the
token) as the first line of output; stops on Ctrl+C (hangs up, un-registers).

Options:
  --port N         web server port (default: a free port)
  --open           open the URL in the system browser
  --data-dir D     folder for settings.json and history.json
                   (default: $XDG_CONFIG_HOME/softphone, %APPDATA%\\softphone)
  --sip-port N     SIP UDP port for this run (default: the saved preference, 5060)
  --bind ADDR      local address for SIP and RTP (default: all)
  --log-level L    debug | info | warn | error (default: info, on stderr)
  -h, --help       this text
`;

const UI_FLAGS = ['port', 'sip-port', 'open', 'data-dir', 'bind', 'log-level', 'help'];

function portValue(name: string, value: string | undefined): number {
  if (value === undefined) throw new Error(`${name} needs a port number`);
  if (!/^-?\d+$/.test(value)) throw new Error(`${name} must be a whole number between 1 and 65535 (or 0: any free port), got ${JSON.stringify(value.slice(0, 40))}`);
  if (Number(value) < 0 || Number(value) > 65535) throw new Error(`${name} must be between 1 and 65535 (or 0: any free port), got ${value}`);
  return Number(value);
}

export function parseUiArgs(argv: readonly string[]): { ok: true; args: UiArgs } | { ok: false; message: string } {
  const args: UiArgs = { port: 0, open: false, logLevel: 'info', help: false };
  try {
    for (let i = 0; i < argv.length; i++) {
      const raw = argv[i] ?? '';
      const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
      const name = eq > 0 ? raw.slice(0, eq) : raw;
      const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
      const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
      switch (name) {
        case '--port':
          args.port = portValue(name, value());
          break;
        case '--sip-port':
          args.sipPort = portValue(name, value());
          break;
        case '--open':
          args.open = true;
          break;
        case '--data-dir': {
          const dir = value();
          if (!dir) throw new Error('--data-dir needs a folder');
          args.dataDir = dir;
          break;
        }
        case '--bind': {
          const addr = value();
          if (!addr || !/^[0-9a-fA-F.:]+$/.test(addr)) throw new Error('--bind needs an IP address');
          args.bind = addr;
          break;
        }
        case '--log-level': {
          const level = value();
          if (level !== 'debug' && level !== 'info' && level !== 'warn' && level !== 'error') throw new Error('--log-level is debug, info, warn or error');
          args.logLevel = level;
          break;
        }
        case '-h':
        case '--help':
          args.help = true;
          break;
        default: {
          const near = closestMatch(name.replace(/^-+/, ''), UI_FLAGS);
          throw new Error(`unknown option: ${raw.slice(0, 60)}${near ? ` (did you mean --${near}?)` : ''}`);
        }
      }
    }
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  return { ok: true, args };
}
