#!/usr/bin/env node
// Times the Rust Cedar reference, compiled to WebAssembly (@cedar-policy/cedar-wasm), on a corpus written by
// `Mandate.Benchmarks export DIR`: the same policies, schemas, entities and requests Mandate.Cedar is timed on.
//
// Method (identical to `Mandate.Benchmarks measure`): policies and schema are pre-parsed once per app
// (preparsePolicySet / preparseSchema); each request's call object is built before the clock starts; the clock
// (process.hrtime.bigint) wraps exactly one statefulIsAuthorized call; a time-bounded warm-up precedes each app and a short
// untimed pass (200 calls) each set.
// cedar-wasm has no prepared entity store: every call carries its entities, which the engine converts, checks
// against the schema and closes transitively inside the timed call. Paper apps pass the whole hierarchy (as the
// paper's harness holds it); agent sets pass the request's entity slice (see AgentToolModel.Slice).
//
// usage: node measure.mjs CORPUS_DIR [--out results.json] [--decisions decisions.jsonl] [--apps a,b] [--warmup-ms N]

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { summarize } from './timing.mjs';

const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');

const args = parseArgs(process.argv.slice(2));
const corpus = args.positional;
const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8'));
const onlyApps = args['--apps'] ? new Set(args['--apps'].split(',')) : null;
const warmupMs = Number(args['--warmup-ms'] ?? 1000);

const results = [];
const decisionLines = [];

for (const app of manifest.apps) {
  if (onlyApps && !onlyApps.has(app.name)) continue;
  const policyText = readFileSync(join(corpus, app.policies), 'utf8');
  const schemaText = readFileSync(join(corpus, app.schema), 'utf8');
  check(cedar.preparsePolicySet(app.name, { staticPolicies: policyText }), `${app.name}: policies`);
  check(cedar.preparseSchema(app.name, schemaText), `${app.name}: schema`);
  // The benchmark policies are meant to pass strict validation; say so if the reference disagrees.
  const validation = cedar.validate({ schema: schemaText, policies: { staticPolicies: policyText } });
  if (validation.type !== 'success' || validation.validationErrors.length > 0) {
    console.error(`${app.name}: cedar-wasm validation: ${JSON.stringify(validation).slice(0, 500)}`);
  }

  let warmedUp = false;
  for (const set of app.sets) {
    const data = JSON.parse(readFileSync(join(corpus, set.file), 'utf8'));
    const calls = [];
    for (const hierarchy of data.hierarchies) {
      for (const request of hierarchy.requests) {
        calls.push({
          principal: request.principal,
          action: request.action,
          resource: request.resource,
          context: request.context,
          preparsedPolicySetId: app.name,
          preparsedSchemaName: app.name,
          validateRequest: false,
          entities: set.sliced ? request.slice : hierarchy.entities,
        });
      }
    }
    // Same warm-up as Mandate's measure: time-bounded on the app's first set, then a short untimed pass per set.
    const until = performance.now() + (warmedUp ? 0 : warmupMs);
    const minimumCalls = Math.min(calls.length, 200);
    for (let i = 0; i < minimumCalls || performance.now() < until; i++) cedar.statefulIsAuthorized(calls[i % calls.length]);
    warmedUp = true;

    const durations = new Float64Array(calls.length);
    const answers = new Array(calls.length);
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const start = process.hrtime.bigint();
      const answer = cedar.statefulIsAuthorized(call);
      const end = process.hrtime.bigint();
      durations[i] = Number(end - start);
      answers[i] = answer;
    }

    let decisions = '';
    const reasons = [];
    const errors = [];
    let failures = 0;
    for (const answer of answers) {
      if (answer.type !== 'success') {
        failures++;
        decisions += 'F';
        reasons.push(answer.errors.map((e) => e.message).join('; '));
        errors.push(0);
        continue;
      }
      decisions += answer.response.decision === 'allow' ? 'A' : 'D';
      reasons.push([...answer.response.diagnostics.reason].sort().join(','));
      errors.push(answer.response.diagnostics.errors.length);
    }
    const stats = summarize(durations);
    results.push({
      app: app.name,
      set: set.label,
      entitiesPerType: set.entitiesPerType,
      entities: set.entities,
      policies: app.policyCount,
      allows: countOf(decisions, 'A'),
      failures,
      ...stats,
    });
    decisionLines.push(JSON.stringify({ app: app.name, set: set.label, decisions, reasons, errors }));
    console.error(`cedar-wasm ${app.name} ${set.label}: median ${stats.median_us} µs, p99 ${stats.p99_us} µs, mean ${stats.mean_us} µs over ${stats.decisions} decisions${failures ? `, ${failures} failed calls` : ''}`);
  }
}

// The binding's fixed cost: one permit-all policy, no entities, empty context. Whatever an app costs above this is
// entity handling, policy-set handling and evaluation inside the call.
check(cedar.preparsePolicySet('floor', { staticPolicies: 'permit (principal, action, resource);' }), 'floor: policies');
const floorCall = {
  principal: { type: 'User', id: 'u' },
  action: { type: 'Action', id: 'a' },
  resource: { type: 'Thing', id: 'r' },
  context: {},
  preparsedPolicySetId: 'floor',
  validateRequest: false,
  entities: [],
};
for (let i = 0; i < 2000; i++) cedar.statefulIsAuthorized(floorCall);
const floorDurations = new Float64Array(5000);
for (let i = 0; i < floorDurations.length; i++) {
  const start = process.hrtime.bigint();
  cedar.statefulIsAuthorized(floorCall);
  floorDurations[i] = Number(process.hrtime.bigint() - start);
}
const floor = summarize(floorDurations);
console.error(`cedar-wasm floor (1 policy, no entities): median ${floor.median_us} µs, p99 ${floor.p99_us} µs`);

const output = {
  floor,
  engine: `cedar-wasm ${cedar.getCedarSDKVersion()} (Cedar ${cedar.getCedarVersion()}, language ${cedar.getCedarLangVersion()}), node ${process.version}`,
  method: 'per-decision wall clock around one statefulIsAuthorized call; policies and schema pre-parsed; entities passed per call',
  results,
};
if (args['--out']) writeFileSync(args['--out'], JSON.stringify(output, null, 2));
else console.log(JSON.stringify(output, null, 2));
if (args['--decisions']) writeFileSync(args['--decisions'], decisionLines.join('\n') + '\n');

function check(answer, what) {
  if (answer.type !== 'success') {
    console.error(`${what} did not parse in cedar-wasm:`);
    for (const e of answer.errors) console.error(`  ${e.message}`);
    process.exit(1);
  }
}

function countOf(text, ch) {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

function parseArgs(argv) {
  const parsed = { positional: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      if (i + 1 >= argv.length) usage(`option ${argv[i]} needs a value`);
      parsed[argv[i]] = argv[++i];
    } else if (parsed.positional === null) {
      parsed.positional = argv[i];
    } else {
      usage(`unexpected argument ${argv[i]}`);
    }
  }
  if (parsed.positional === null) usage('missing the corpus directory');
  return parsed;
}

function usage(message) {
  console.error(`measure.mjs: ${message}\nusage: node measure.mjs CORPUS_DIR [--out results.json] [--decisions decisions.jsonl] [--apps a,b] [--warmup-ms N]`);
  process.exit(2);
}
