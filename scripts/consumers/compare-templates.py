#!/usr/bin/env python3
"""compare-templates.py LANGUAGE OTHER.template.json TYPESCRIPT.template.json [--deployment-hash-may-differ]

Compares the template a language's consumer app synthesized with the one the
TypeScript Quick start synthesized. Metadata keys are dropped and 64-hex asset
hashes masked before comparing; the raw equality is printed as well. Exits 1,
with a unified diff, when the templates differ.

--deployment-hash-may-differ (Go): API Gateway deployments get a logical id
ending in a hash of the methods' properties, taken in the order their keys
arrive. jsii's Go runtime hands struct fields over in alphabetical order, the
other languages in declaration order, so the same app's deployment id differs
in Go. With this flag the 32-hex suffix of `*Deployment*` logical ids is
masked; everything else must still be equal.
"""
import difflib
import json
import re
import sys

HASH = re.compile(r"[0-9a-f]{64}")
DEPLOYMENT = re.compile(r"(Deployment[0-9A-F]{8})[0-9a-f]{32}")
mask_deployment = "--deployment-hash-may-differ" in sys.argv[4:]


def mask(text):
    text = HASH.sub("<hash>", text)
    return DEPLOYMENT.sub(r"\1<hash>", text) if mask_deployment else text


def norm(o):
    """Drops Metadata keys; masks asset hashes (and, with the flag, deployment hashes)."""
    if isinstance(o, dict):
        return {mask(k): norm(v) for k, v in o.items() if k != "Metadata"}
    if isinstance(o, list):
        return [norm(v) for v in o]
    if isinstance(o, str):
        return mask(o)
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
    masked = "asset and deployment hashes" if mask_deployment else "asset hashes"
    print(f"{language}: templates equal (Metadata dropped, {masked} masked)")
    sys.exit(0)
a = json.dumps(other, indent=1, sort_keys=True).splitlines()
b = json.dumps(ts, indent=1, sort_keys=True).splitlines()
sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(a, b, language, "typescript", lineterm=""))
sys.exit(1)
