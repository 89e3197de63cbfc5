// tsc does not copy declaration files: put the generated types beside dist/index.d.ts,
// which imports them.

import { copyFileSync } from "node:fs";

copyFileSync(new URL("../src/schema.d.ts", import.meta.url), new URL("../dist/schema.d.ts", import.meta.url));
