// The committed src/schema.d.ts must be what the generator makes from the committed spec,
// with the options `cargo xtask openapi` uses (both come from scripts/generate.mjs).

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

import { firstDifference, generate, SCHEMA_FILE, SPEC_FILE } from "../scripts/generate.mjs";

test("src/schema.d.ts is generated from openapi/runyard.openapi.json", async () => {
  const fresh = await generate(await readFile(SPEC_FILE, "utf8"));
  const committed = await readFile(SCHEMA_FILE, "utf8");
  const difference = firstDifference(fresh, committed);
  assert.equal(
    difference,
    null,
    `src/schema.d.ts is stale (${difference}): run \`cargo xtask openapi\` and commit the result`,
  );
});
