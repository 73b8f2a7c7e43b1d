#!/usr/bin/env node
// The comparison task from a Node script with callscope's Node binding: one `reportFiles` call
// reads the folder of pages (the same reading as `callscope report`), and the task's part of the
// report is written as JSON text, as the Python tools write theirs (agree.py checks it).
//
// usage: node ref_callscope_node.js PROVIDER FOLDER   (after `npx napi build --platform --release
// --no-const-enum` in bindings-node/; set CALLSCOPE_ADDON to load another build of the addon)
'use strict';

const path = require('node:path');

function load() {
  const addon = process.env.CALLSCOPE_ADDON;
  if (!addon) return require(path.join(__dirname, '..', '..', 'bindings-node', 'index.js'));
  const m = { exports: {} };
  process.dlopen(m, path.resolve(addon));
  return m.exports;
}

const [provider, folder] = process.argv.slice(2);
const callscope = load();
const report = callscope.reportFiles(folder, {
  provider,
  granularity: 'minute',
  skipText: true,
  sections: ['summary', 'concurrency'],
});
process.stdout.write(JSON.stringify({ summary: report.summary, concurrency: report.concurrency }) + '\n');
