// The Node binding's own contract: input kinds, option bag, errors, version, async.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const callscope = require('../index.js');

test('the version is the workspace version', () => {
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8');
  const workspaceVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/.exec(cargo)[1];
  assert.equal(callscope.version(), workspaceVersion);
  assert.equal(require('../package.json').version, workspaceVersion);
});

test('invalid JSON throws an Error with code Syntax and the source name', () => {
  assert.throws(() => callscope.ingest('{"calls": [', { source: 'calls.json' }), (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'Syntax');
    assert.match(err.message, /calls\.json/);
    return true;
  });
});

test('a Buffer and a string give the same result', () => {
  const text = '[]';
  assert.deepEqual(callscope.ingest(Buffer.from(text)), callscope.ingest(text));
});

test('a bad option value is an InvalidOption error', () => {
  assert.throws(() => callscope.ingest('[]', { provider: 'no-such-provider' }), (err) => {
    assert.equal(err.code, 'InvalidOption');
    assert.match(err.message, /no-such-provider/);
    return true;
  });
});

test('ingestAsync resolves to the same result and rejects with the same code', async () => {
  assert.deepEqual(await callscope.ingestAsync('[]'), callscope.ingest('[]'));
  await assert.rejects(callscope.ingestAsync('{', { source: 'x.json' }), (err) => {
    assert.equal(err.code, 'Syntax');
    assert.match(err.message, /x\.json/);
    return true;
  });
});

test('the wrong input type is a TypeError-like napi error, not a crash', () => {
  assert.throws(() => callscope.ingest(42));
});
