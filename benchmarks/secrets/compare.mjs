// Scores both scanners against the corpus manifest: a planted secret counts as found when the scanner reports its
// file:line; a report at a decoy's file:line is a reported decoy; any other report (save the AWS access key id on the
// line above a planted AWS secret, which both scanners may name) is listed as other. Throughput: corpus bytes over the
// process's user+sys CPU seconds (`time`), so per core whatever the parallelism, start-up included.
import { readFileSync } from "node:fs";
import path from "node:path";

const [manifestFile, corpusDir, mandateJson, mandateTime, secretlintText, secretlintTime, bytesText] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
const bytes = Number(bytesText);
const key = (file, line) => `${file}:${line}`;
const planted = new Map(manifest.planted.map((p) => [key(p.file, p.line), p.kind]));
const decoys = new Map(manifest.decoys.map((d) => [key(d.file, d.line), d.kind]));
const awsIdLines = new Set(manifest.planted.filter((p) => p.kind === "aws_secret_access_key").map((p) => key(p.file, p.line - 1)));

function score(name, reported, timeFile) {
  const [wall, user, sys] = readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number);
  const found = new Map();
  const decoysHit = new Map();
  let other = 0;
  for (const place of reported) {
    if (planted.has(place)) found.set(place, planted.get(place));
    else if (decoys.has(place)) decoysHit.set(place, decoys.get(place));
    else if (!awsIdLines.has(place)) other++;
  }
  const perKind = {};
  for (const [place, kind] of planted) {
    perKind[kind] ??= { planted: 0, found: 0 };
    perKind[kind].planted++;
    if (found.has(place)) perKind[kind].found++;
  }
  const decoyKinds = {};
  for (const kind of decoysHit.values()) decoyKinds[kind] = (decoyKinds[kind] ?? 0) + 1;
  const megabytes = bytes / 1e6;
  return {
    name, recall: found.size / planted.size, found: found.size, decoys: decoysHit.size, decoyKinds, other, perKind,
    wall, cpu: user + sys, perCore: megabytes / (user + sys), megabytes,
  };
}

const mandate = JSON.parse(readFileSync(mandateJson, "utf8"));
const mandateReports = new Set();
for (const secret of mandate.secrets) for (const l of secret.locations) mandateReports.add(key(l.file, l.line));

const secretlintReports = new Set();
for (const line of readFileSync(secretlintText, "utf8").split("\n")) {
  const m = /^(.*): line (\d+), col \d+/.exec(line);
  if (m) secretlintReports.add(key(path.relative(corpusDir, path.resolve(corpusDir, m[1])).split(path.sep).join("/"), Number(m[2])));
}

const results = [score("mandate secrets scan", mandateReports, mandateTime), score("secretlint (preset-recommend)", secretlintReports, secretlintTime)];
console.log(`corpus: ${(bytes / 1e6).toFixed(1)} MB, ${planted.size} planted secrets, ${decoys.size} decoys`);
console.log("| scanner | recall | planted found | decoys reported | other reports | wall s | CPU s | MB/s per core |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(`| ${r.name} | ${(100 * r.recall).toFixed(1)}% | ${r.found}/${planted.size} | ${r.decoys} | ${r.other} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.perCore.toFixed(1)} |`);
}
console.log("");
console.log("| kind | " + results.map((r) => r.name).join(" | ") + " |");
console.log("|---|" + results.map(() => "---|").join(""));
for (const kind of Object.keys(results[0].perKind).sort()) {
  console.log(`| ${kind} | ` + results.map((r) => `${r.perKind[kind].found}/${r.perKind[kind].planted}`).join(" | ") + " |");
}
for (const r of results) {
  if (r.decoys > 0) console.log(`${r.name} reported decoys: ${Object.entries(r.decoyKinds).map(([k, n]) => `${k} ${n}`).join(", ")}`);
}
const [m, s] = results;
const ok = m.recall >= s.recall && m.decoys === 0;
console.log(ok ? "targets: recall >= secretlint's and no decoy reported: met" : "targets: recall >= secretlint's and no decoy reported: NOT met");
