// The generated client's comments link to outside pages (a package registry among them); the
// project keeps such host names out of its files, so every {@link url text} becomes its text.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const LINK = /\{@link\s+https?:\/\/[^\s}]+\s+([^}]+)\}/g;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith(".ts")) {
      const text = readFileSync(path, "utf8");
      const cleaned = text.replace(LINK, "$1");
      if (cleaned !== text) writeFileSync(path, cleaned);
    }
  }
}
walk("src/client");
