#!/usr/bin/env bash
# Shows npm run check's lint and format steps failing, once each, on three files it writes and removes:
#   an import cycle (src/demo-cycle-a.ts ↔ src/demo-cycle-b.ts), a layer violation (the domain importing the
#   store), and an unformatted file. For the closing note of issue 17; it leaves the tree as it found it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=(src/lib/demo-cycle-a.ts src/lib/demo-cycle-b.ts src/domain/demo-layer.ts src/lib/demo-unformatted.ts)
for f in "${files[@]}"; do
  if [ -e "$f" ]; then echo "$f exists; not overwriting" >&2; exit 2; fi
done
trap 'rm -f "${files[@]}"' EXIT
printf 'import { b } from "./demo-cycle-b.js";\nexport const a = () => b;\n' >src/lib/demo-cycle-a.ts
printf 'import { a } from "./demo-cycle-a.js";\nexport const b = () => a;\n' >src/lib/demo-cycle-b.ts
printf 'import type { Store } from "../store/store.js";\nexport type Demo = Store;\n' >src/domain/demo-layer.ts
printf 'export const demo   =  {a:1,\n b :2}\n' >src/lib/demo-unformatted.ts
echo "== eslint (a cycle, a layer violation)"
npx eslint --max-warnings 0 src/lib/demo-cycle-a.ts src/lib/demo-cycle-b.ts src/domain/demo-layer.ts
echo "eslint exit: $?"
echo "== prettier --check (an unformatted file)"
npx prettier --check src/lib/demo-unformatted.ts
echo "prettier exit: $?"
