#!/usr/bin/env node
// Puts Mandate.Cedar's and cedar-wasm's timings side by side (ratio = cedar-wasm time / Mandate time, so > 1 means
// Mandate is faster) and checks that both engines decided every request the same way: same decision, same
// determining policies, errors on the same requests. Exit code 1 when any decision differs.
//
// usage: node compare.mjs --corpus DIR --wasm wasm.json --wasm-decisions wasm.jsonl
//                         --mandate mandate.json --mandate-decisions mandate.jsonl [--per-call mandate-per-call.json]
//                         [--per-call-decisions P.jsonl] [--full mandate-full.json] [--markdown]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = {};
const argv = process.argv.slice(2).filter((a) => a !== '--markdown');
const markdown = process.argv.includes('--markdown');
for (let i = 0; i < argv.length; i += 2) args[argv[i]] = argv[i + 1];
for (const required of ['--corpus', '--wasm', '--wasm-decisions', '--mandate', '--mandate-decisions']) {
  if (!args[required]) {
    console.error(`compare.mjs: missing ${required}`);
    process.exit(2);
  }
}

// --wasm and --wasm-decisions may list several files (comma-separated): run.sh measures each app in its own node
// process, because node 20's V8 once died with a deoptimizer fatal error deep into a long single-process run.
const wasmParts = args['--wasm'].split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')));
const wasm = { ...wasmParts[0], results: wasmParts.flatMap((p) => p.results) };
const mandate = JSON.parse(readFileSync(args['--mandate'], 'utf8'));
const perCall = args['--per-call'] ? JSON.parse(readFileSync(args['--per-call'], 'utf8')) : null;
const key = (r) => `${r.app}/${r.set}`;
const wasmBy = new Map(wasm.results.map((r) => [key(r), r]));
const perCallBy = perCall ? new Map(perCall.results.map((r) => [key(r), r])) : null;

console.log(`Mandate:    ${mandate.engine}`);
console.log(`comparator: ${wasm.engine}`);
if (wasm.floor) console.log(`cedar-wasm floor (one permit-all policy, no entities): median ${wasm.floor.median_us} µs, p99 ${wasm.floor.p99_us} µs`);
console.log('');
const header = ['app', 'set', 'entities', 'policies', 'decisions', 'Mandate median', 'p99', 'mean', 'B/decision', 'wasm median', 'p99', 'mean', 'ratio median', 'ratio mean'];
if (perCall) header.push('per-call median', 'per-call ratio');
const rows = [header];
const perApp = new Map();
for (const m of mandate.results) {
  const w = wasmBy.get(key(m));
  if (!w) continue;
  const ratioMedian = w.median_us / m.median_us;
  const ratioMean = w.mean_us / m.mean_us;
  const row = [m.app, m.set, m.entities, m.policies, m.decisions, m.median_us, m.p99_us, m.mean_us, m.bytes_per_decision ?? '-', w.median_us, w.p99_us, w.mean_us, ratioMedian.toFixed(1) + '×', ratioMean.toFixed(1) + '×'];
  const app = perApp.get(m.app) ?? { medians: [], means: [], perCall: [], mandateMedians: [] };
  app.medians.push(ratioMedian);
  app.means.push(ratioMean);
  app.mandateMedians.push(m.median_us);
  if (perCallBy) {
    const p = perCallBy.get(key(m));
    if (p) {
      row.push(p.median_us, (w.median_us / p.median_us).toFixed(1) + '×');
      app.perCall.push(w.median_us / p.median_us);
    } else {
      row.push('-', '-');
    }
  }
  perApp.set(m.app, app);
  rows.push(row);
}
printTable(rows);

console.log('');
console.log('Per app (geometric mean over its sets of cedar-wasm time / Mandate time; > 1 means Mandate is faster):');
const summary = [['app', 'prepared, median', 'prepared, mean', ...(perCall ? ['per-call, median'] : []), 'Mandate median range (µs)']];
for (const [name, app] of perApp) {
  summary.push([
    name,
    geomean(app.medians).toFixed(1) + '×',
    geomean(app.means).toFixed(1) + '×',
    ...(perCall ? [app.perCall.length ? geomean(app.perCall).toFixed(1) + '×' : '-'] : []),
    `${Math.min(...app.mandateMedians)} – ${Math.max(...app.mandateMedians)}`,
  ]);
}
printTable(summary);

// Mandate alone on the paper's full shape (200 hierarchies x 500 requests per entity count), if measured.
if (args['--full']) {
  const full = JSON.parse(readFileSync(args['--full'], 'utf8'));
  console.log('');
  console.log(`Mandate.Cedar on the paper's full shape (${full.engine}), times in µs:`);
  const table = [['app', 'entities/type', 'entities', 'decisions', 'allows', 'median', 'p99', 'mean', 'B/decision']];
  const byApp = new Map();
  for (const r of full.results) {
    table.push([r.app, r.entitiesPerType, r.entities, r.decisions, r.allows, r.median_us, r.p99_us, r.mean_us, r.bytes_per_decision ?? '-']);
    byApp.set(r.app, [...(byApp.get(r.app) ?? []), r]);
  }
  printTable(table);
  for (const [name, rs] of byApp) {
    const first = rs[0];
    const last = rs[rs.length - 1];
    console.log(`  ${name}: median ${first.median_us} µs at ${first.entitiesPerType}/type, ${last.median_us} µs at ${last.entitiesPerType}/type (x${(last.median_us / first.median_us).toFixed(2)})`);
  }
}

// Decisions: both sides wrote one line per (app, set) in request order.
const readDecisions = (paths) => new Map(paths.split(',').flatMap((path) => readFileSync(path, 'utf8').trim().split('\n')).filter(Boolean).map((l) => JSON.parse(l)).map((d) => [key(d), d]));
const wasmDecisions = readDecisions(args['--wasm-decisions']);
const mandateDecisions = readDecisions(args['--mandate-decisions']);
const manifest = JSON.parse(readFileSync(join(args['--corpus'], 'manifest.json'), 'utf8'));
let compared = 0;
let decisionMismatches = 0;
let reasonMismatches = 0;
let errorMismatches = 0;
const examples = [];
for (const [k, m] of mandateDecisions) {
  const w = wasmDecisions.get(k);
  if (!w) continue;
  for (let i = 0; i < m.decisions.length; i++) {
    compared++;
    const decisionDiffers = m.decisions[i] !== w.decisions[i];
    const reasonDiffers = !decisionDiffers && m.reasons[i] !== w.reasons[i];
    const errorDiffers = (m.errors[i] > 0) !== (w.errors[i] > 0);
    if (decisionDiffers) decisionMismatches++;
    if (reasonDiffers) reasonMismatches++;
    if (errorDiffers) errorMismatches++;
    if ((decisionDiffers || reasonDiffers || errorDiffers) && examples.length < 10) {
      examples.push({ key: k, index: i, mandate: `${m.decisions[i]} [${m.reasons[i]}] errors=${m.errors[i]}`, wasm: `${w.decisions[i]} [${w.reasons[i]}] errors=${w.errors[i]}` });
    }
  }
}
console.log('');
console.log(`Same answers: ${compared} requests compared; ${decisionMismatches} decisions differ, ${reasonMismatches} determining-policy sets differ, ${errorMismatches} differ on whether a policy errored.`);
for (const e of examples) {
  const [appName, setLabel] = e.key.split('/');
  const set = manifest.apps.find((a) => a.name === appName).sets.find((s) => s.label === setLabel);
  const data = JSON.parse(readFileSync(join(args['--corpus'], set.file), 'utf8'));
  let index = e.index;
  let h = 0;
  while (index >= data.hierarchies[h].requests.length) index -= data.hierarchies[h++].requests.length;
  const r = data.hierarchies[h].requests[index];
  const uid = (u) => `${u.type}::"${u.id}"`;
  console.log(`  ${e.key} hierarchy ${h} request ${index}: ${uid(r.principal)} ${uid(r.action)} ${uid(r.resource)} context=${JSON.stringify(r.context)}`);
  console.log(`    Mandate:    ${e.mandate}`);
  console.log(`    cedar-wasm: ${e.wasm}`);
}

// Mandate against itself: the prepared store (agent sets: all 10,454 entities) and the per-call store (agent sets:
// the request's slice) must agree, which also shows the slices hold everything the policies reach.
let selfMismatches = 0;
if (args['--per-call-decisions']) {
  const perCallDecisions = readDecisions(args['--per-call-decisions']);
  for (const [k, m] of mandateDecisions) {
    const p = perCallDecisions.get(k);
    if (!p) continue;
    for (let i = 0; i < m.decisions.length; i++) {
      if (m.decisions[i] !== p.decisions[i] || m.reasons[i] !== p.reasons[i]) selfMismatches++;
    }
  }
  console.log(`Mandate prepared vs per-call (entity slices): ${selfMismatches} answers differ.`);
}
process.exitCode = decisionMismatches > 0 || selfMismatches > 0 ? 1 : 0;

function geomean(xs) {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

function printTable(table) {
  if (markdown) {
    console.log(`| ${table[0].join(' | ')} |`);
    console.log(`|${table[0].map((_, c) => (c < 2 ? '---' : '---:')).join('|')}|`);
    for (const r of table.slice(1)) console.log(`| ${r.join(' | ')} |`);
    return;
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
  for (const r of table) console.log(r.map((v, c) => (c < 2 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  '));
}
