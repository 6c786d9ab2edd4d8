#!/usr/bin/env node
// Entry point of the `spv` command: runs the bundled CLI built by `npm run build`
// (npm install runs the build through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli', 'spv.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write('spv: the command line is not built yet; run `npm run build` first.\n');
  process.exit(2);
}
require(bundle);
