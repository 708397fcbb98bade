#!/usr/bin/env node
// Entry of the headless `softphone` command: loads the bundled core built by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('softphone: the core is not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
require(cli);
