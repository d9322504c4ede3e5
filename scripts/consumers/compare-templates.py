#!/usr/bin/env python3
"""compare-templates.py LANGUAGE OTHER.template.json TYPESCRIPT.template.json

Compares the template a language's consumer app synthesized with the one the
TypeScript Quick start synthesized. Metadata keys are dropped and 64-hex asset
hashes masked before comparing; the raw equality is printed as well. Exits 1,
with a unified diff, when the templates differ.
"""
import difflib
import json
import re
import sys

HASH = re.compile(r"[0-9a-f]{64}")


def norm(o):
    """Drops Metadata keys; replaces asset hashes (64 hex digits) with <hash>."""
    if isinstance(o, dict):
        return {HASH.sub("<hash>", k): norm(v) for k, v in o.items() if k != "Metadata"}
    if isinstance(o, list):
        return [norm(v) for v in o]
    if isinstance(o, str):
        return HASH.sub("<hash>", o)
    return o


language, other_path, ts_path = sys.argv[1:4]
raw_other, raw_ts = (json.load(open(p)) for p in (other_path, ts_path))
print("byte-identical:", open(other_path, "rb").read() == open(ts_path, "rb").read())
print("equal as JSON (nothing dropped):", raw_other == raw_ts)
other, ts = norm(raw_other), norm(raw_ts)
for name, t in ((language, raw_other), ("typescript", raw_ts)):
    print(f"{name}: {len(t['Resources'])} resources, {len(t.get('Outputs', {}))} outputs")
ids_other = {k: v["Type"] for k, v in other["Resources"].items()}
ids_ts = {k: v["Type"] for k, v in ts["Resources"].items()}
print("same logical ids and types:", ids_other == ids_ts)
if other == ts:
    print(f"{language}: templates equal (Metadata dropped, asset hashes masked)")
    sys.exit(0)
a = json.dumps(other, indent=1, sort_keys=True).splitlines()
b = json.dumps(ts, indent=1, sort_keys=True).splitlines()
sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(a, b, language, "typescript", lineterm=""))
sys.exit(1)
