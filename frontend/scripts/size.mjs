// Gzipped JavaScript a cold load of /track/<code> fetches: the entry chunk, its static imports
// and the English catalogue. Fails above the 120 kB budget. Run after `vite build`.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 120_000; // decimal kB, as Vite prints them
const manifest = JSON.parse(readFileSync("dist/.vite/manifest.json", "utf8"));
const seen = new Set();
function walk(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) walk(dep);
}
walk("index.html");
walk("src/i18n/en.ts");
let total = 0;
for (const key of seen) {
  const file = manifest[key].file;
  if (!file.endsWith(".js")) continue;
  const size = gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length;
  total += size;
  console.log(`${(size / 1000).toFixed(2).padStart(8)} kB  ${file}`);
}
console.log(`${(total / 1000).toFixed(2).padStart(8)} kB  tracking route total (budget 120 kB)`);
if (total > BUDGET) {
  console.error("Over budget");
  process.exit(1);
}
