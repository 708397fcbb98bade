// Prints 1 when pkg-config knows the library named in argv[2] (binding.gyp asks, at configure time), else 0.
const { spawnSync } = require('node:child_process');
const r = spawnSync('pkg-config', ['--exists', process.argv[2] ?? ''], { stdio: 'ignore' });
process.stdout.write(r.status === 0 ? '1' : '0');
