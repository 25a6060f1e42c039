#!/usr/bin/env node
'use strict';
// Runs the bundled command line; builds it first when dist/ is missing (a fresh clone).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'dist', 'hyperstep.js');
if (!fs.existsSync(bundle)) {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
require(bundle);
