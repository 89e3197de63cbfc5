// The committed dist/ must be exactly what `npm run build` makes from the sources: the
// server embeds those files, so a stale build would ship an old console.

import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";

import { build, DIST_DIR } from "../scripts/build.mjs";

async function files(dir, prefix = "") {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

test("console/dist is what `npm run build` makes from the sources", async () => {
  const fresh = await mkdtemp(path.join(tmpdir(), "runyard-console-dist-"));
  try {
    await build(fresh);
    const fix = "run `npm run build` in console/ and commit console/dist";
    const want = await files(fresh);
    const have = await files(DIST_DIR).catch(() => []);
    assert.deepEqual(have, want, `console/dist holds other files than a build makes: ${fix}`);
    for (const name of want) {
      const a = await readFile(path.join(fresh, name));
      const b = await readFile(path.join(DIST_DIR, name));
      assert.ok(a.equals(b), `console/dist/${name} is stale: ${fix}`);
    }
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
});
