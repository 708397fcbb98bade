#!/usr/bin/env -S node --max-semi-space-size=4
// Entry of the headless `softphone` command: loads the bundled core built by `npm run build`.
// The shebang's V8 flags are bin/node-flags.json (a test keeps them equal): V8's young generation
// otherwise grows to 2 x 16 MB under sustained allocation (a datagram flood, a long call) and stays.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('softphone: the core is not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
require(cli);
