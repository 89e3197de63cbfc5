// Builds the console into dist/: index.html, assets/app.js and assets/app.css, under
// stable names (no content hashes) so the server can embed them by name.
//
//   node scripts/build.mjs [OUT_DIR]     (default: dist)
//
// The build is deterministic: the drift test rebuilds into a temporary directory and
// compares the result byte for byte with the committed dist/.

import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const CONSOLE_DIR = fileURLToPath(new URL("..", import.meta.url));
export const DIST_DIR = path.join(CONSOLE_DIR, "dist");

// The client is bundled from its TypeScript source (its own dist/ is a Node build step
// that the console does not need), and every import of openapi-fetch resolves to the
// console's pinned copy, wherever the importing file lives.
const pinModules = {
  name: "pin-modules",
  setup(build) {
    const fixed = {
      "@runyard/client": path.join(CONSOLE_DIR, "node_modules/@runyard/client/src/index.ts"),
    };
    build.onResolve({ filter: /^@runyard\/client$/ }, (args) => ({ path: fixed[args.path] }));
    build.onResolve({ filter: /^openapi-fetch$/ }, async (args) => {
      if (args.pluginData === "pinned") return undefined;
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: CONSOLE_DIR,
        pluginData: "pinned",
      });
      return { path: found.path, errors: found.errors };
    });
  },
};

/** Builds the console into `outDir` (created if missing, emptied first). */
export async function build(outDir = DIST_DIR) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, "assets"), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: CONSOLE_DIR,
    entryPoints: { app: "src/main.tsx" },
    outdir: path.join(outDir, "assets"),
    bundle: true,
    format: "esm",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    minify: true,
    sourcemap: false,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    plugins: [pinModules],
  });
  if (result.errors.length > 0) throw new Error("esbuild failed");
  await esbuild.build({
    absWorkingDir: CONSOLE_DIR,
    entryPoints: { app: "src/styles.css" },
    outdir: path.join(outDir, "assets"),
    bundle: true,
    minify: true,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
  });
  await copyFile(path.join(CONSOLE_DIR, "src/index.html"), path.join(outDir, "index.html"));
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await build(process.argv[2] ? path.resolve(process.argv[2]) : DIST_DIR);
  console.log(`built the console into ${path.relative(process.cwd(), out) || "."}`);
}
