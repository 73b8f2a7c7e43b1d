// Hostile input through the WASM build for Node (pkg/node): every garbage input gives a result whose report
// balances or throws an Error whose `name` is the callscope code -- never a crash, a panic or a hang.
// The inputs are the shared cases of tests/hostile_cases.json (also replayed by the core's
// core/tests/hostile.rs and by the Python and Node hostile tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const callscope = require('../pkg/node/callscope_wasm.js');
const { cases } = JSON.parse(readFileSync(new URL('../../tests/hostile_cases.json', import.meta.url), 'utf8'));
const CODES = ['Io', 'Syntax', 'UnknownProvider', 'Rejected', 'InvalidOption', 'Limit', 'Signature'];

function payload(c) {
  if (c.hex !== undefined) return new Uint8Array(Buffer.from(c.hex, 'hex'));
  if (c.repeat !== undefined) {
    let s = '';
    for (let i = 0; i < c.repeat.length; i += 2) s += c.repeat[i].repeat(c.repeat[i + 1]);
    return new Uint8Array(Buffer.from(s, 'utf8'));
  }
  return new Uint8Array(Buffer.from(c.text, 'utf8'));
}

function balanced(r) {
  return r.recordsIn === r.recordsOut + r.duplicatesMerged + r.eventsFolded + r.nonCallItems + r.rejected.length;
}

for (const c of cases) {
  for (const strict of [false, true]) {
    test(`hostile ${c.name} (strict ${strict})`, () => {
      const bytes = payload(c);
      const inputs = [bytes];
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      if (Buffer.from(text, 'utf8').equals(Buffer.from(bytes))) inputs.push(text);
      for (const input of inputs) {
        let out;
        try {
          out = callscope.ingest(input, { source: 'hostile.in', strict });
        } catch (err) {
          assert.ok(err instanceof Error, String(err));
          assert.ok(['error', 'either'].includes(c.expect), `${c.name}: unexpected ${err.name}: ${err.message}`);
          assert.ok(CODES.includes(err.name), `${c.name}: code ${err.name}`);
          if (c.codes) assert.ok(c.codes.includes(err.name), `${c.name}: code ${err.name}`);
          assert.match(err.message, /hostile\.in/);
          continue;
        }
        assert.ok(['ok', 'either'].includes(c.expect), `${c.name}: expected an error`);
        assert.ok(balanced(out.report), JSON.stringify(out.report));
        assert.equal(out.report.recordsOut, out.records.length);
        for (const e of [...out.report.rejected, ...out.report.warnings]) {
          assert.equal(e.source, 'hostile.in');
          assert.ok(e.reason.length > 0);
        }
      }
    });
  }
}

test('truncated JSON is a Syntax error naming the source', () => {
  const check = (err) => {
    assert.equal(err.name, 'Syntax');
    assert.match(err.message, /cut\.json/);
    return true;
  };
  assert.throws(() => callscope.ingest('[{"call_id": "a"}, {"call_id"', { source: 'cut.json' }), check);
  assert.throws(() => callscope.ingest('{"call_id": ', { source: 'cut.json' }), check);
});

test('garbage options are InvalidOption errors', () => {
  for (const options of [{ provider: 'no-such-provider' }, { sourceTz: 'Mars/Olympus' }, { provider: '' }]) {
    assert.throws(() => callscope.ingest('[]', options), (err) => {
      assert.equal(err.name, 'InvalidOption', JSON.stringify(options));
      return true;
    });
  }
});

test('wrong input types throw, never crash', () => {
  // (an array of documents is an input; an array holding anything else is not)
  for (const value of [undefined, null, 42, 1.5, [42], [['[]']], { a: 1 }, Symbol('x')]) {
    assert.throws(() => callscope.ingest(value), (err) => err instanceof Error);
  }
});

test('strict rejections name the source and the field', () => {
  const text = '{"call_id":"a","call_type":"phone_call","call_status":"ended","start_timestamp":1700000000000,"end_timestamp":1700000060000,"duration_ms":-5000}';
  let out;
  try {
    out = callscope.ingest(text, { source: 'neg.json', strict: true });
  } catch (err) {
    assert.match(err.message, /duration_ms/);
    return;
  }
  assert.equal(out.report.rejected.length, 1);
  assert.equal(out.report.rejected[0].source, 'neg.json');
  assert.match(out.report.rejected[0].path, /duration_ms/);
});
