"""Runs onnx.checker.check_model(full_check=True) on every .onnx file in a folder and writes a JSON
of {name: verdict} ("ok" or the checker's message). Debian's python3-onnx; run with
/usr/bin/python3. Used by scripts/gen-onnx-export-fixtures.ts."""
import json
import os
import sys

import onnx

folder, out = sys.argv[1], sys.argv[2]
results = {}
for name in sorted(os.listdir(folder)):
    if not name.endswith(".onnx"):
        continue
    path = os.path.join(folder, name)
    data = open(path, "rb").read()
    try:
        onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
        verdict = "ok"
    except Exception as e:  # the checker's own message is the fixture
        verdict = str(e).splitlines()[0][:500]
    results[name[:-5]] = verdict
json.dump(results, open(out, "w"), indent=1, sort_keys=True)
bad = {k: v for k, v in results.items() if v != "ok"}
print(f"{len(results) - len(bad)}/{len(results)} pass onnx.checker", *(f"\n  {k}: {v}" for k, v in bad.items()))
