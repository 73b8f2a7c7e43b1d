// The golden-case checker shared by every JavaScript runner (Node binding, WASM under Node,
// WASM in Chromium). Pure ESM with no Node imports, so the browser loads it as is.
// Same rules as the Rust runner (tests/src/lib.rs): exact keys, arrays in order, numbers
// within 1e-9 (relative to the larger magnitude when above 1).

export function close(expected, actual) {
  return Math.abs(expected - actual) <= 1e-9 * Math.max(Math.abs(expected), Math.abs(actual), 1);
}

// Returns null when equal, else a message naming the first differing JSON path.
export function compare(expected, actual, path = '$') {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return close(expected, actual) ? null : `${path}: expected ${expected}, got ${actual}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length !== actual.length) {
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const diff = compare(expected[i], actual[i], `${path}[${i}]`);
      if (diff) return diff;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) return `${path}: unexpected key ${JSON.stringify(key)} = ${JSON.stringify(actual[key])}`;
    }
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) return `${path}: missing key ${JSON.stringify(key)}`;
      const diff = compare(expected[key], actual[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return null;
  }
  return expected === actual ? null : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

// Runs one case. `api` maps function names to (input, options, testCase) => result; `errorCode` reads
// the variant name from a thrown error (Node: err.code, WASM: err.name).
// Returns null when the case passes, else what went wrong.
export async function runCase(testCase, api, errorCode) {
  const fn = testCase.function ?? 'ingest';
  const call = api[fn];
  if (!call) return `unknown function ${JSON.stringify(fn)} (this runner knows: ${Object.keys(api).join(', ')})`;
  const options = { ...(testCase.options ?? {}), source: testCase.source ?? 'input' };
  let result;
  try {
    // (a `reportFiles` call reads the case's `paths` or `documents`, see cases.mjs)
    result = await call(testCase.input, options, testCase);
  } catch (err) {
    if (!testCase.expected_error) return `unexpected error ${errorCode(err)}: ${err.message}`;
    const { code, contains = '' } = testCase.expected_error;
    if (errorCode(err) !== code) return `expected error ${code}, got ${errorCode(err)} (${err.message})`;
    if (!err.message.includes(contains)) return `error message ${JSON.stringify(err.message)} does not contain ${JSON.stringify(contains)}`;
    return null;
  }
  if (testCase.expected_error) return `expected error ${JSON.stringify(testCase.expected_error)}, got a result`;
  if (!('expected' in testCase)) return 'a case needs `expected` or `expected_error`';
  // Plain-object copy: strips prototypes (WASM objects) and undefined-vs-missing differences.
  let actual = JSON.parse(JSON.stringify(result));
  if (testCase.select) {
    // only these top-level keys are compared
    actual = Object.fromEntries(testCase.select.filter((k) => k in actual).map((k) => [k, actual[k]]));
  }
  return compare(testCase.expected, actual);
}
