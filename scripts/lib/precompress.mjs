// Writes FILE.br (brotli, best) and FILE.gz (gzip, best) beside each static
// file of a built site, so the server answers them from memory instead of
// compressing each request. Files whose .br and .gz are newer are skipped.
//
//   node scripts/lib/precompress.mjs target/site
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = process.argv[2];
if (!root) {
  console.error("usage: node precompress.mjs SITE_ROOT");
  process.exit(2);
}
const worth = /\.(js|mjs|css|wasm|svg|json|txt|map|html)$/;

function fresh(file, variant) {
  try {
    return statSync(variant).mtimeMs >= statSync(file).mtimeMs;
  } catch {
    return false;
  }
}

let written = 0;
function walk(dir, deep) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) walk(file, true);
      continue;
    }
    if (!worth.test(entry.name)) continue;
    if (fresh(file, `${file}.br`) && fresh(file, `${file}.gz`)) continue;
    const data = readFileSync(file);
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
    );
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
    written += 1;
  }
}
// The same folders the server loads: the top of the site, pkg/ and vendor/.
walk(root, false);
walk(join(root, "pkg"), true);
walk(join(root, "vendor"), true);
console.log(`precompressed ${written} file(s) under ${root}`);
