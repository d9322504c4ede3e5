#!/usr/bin/env python3
"""readme-fences.py LANGUAGE README.md

Fails unless the generated README carries at least one ```LANGUAGE snippet and
none of them is still TypeScript (jsii-rosetta translated them, or the README
would mislabel TypeScript as LANGUAGE).
"""
import re
import sys

language, path = sys.argv[1:3]
text = open(path, encoding="utf-8").read()
blocks = re.findall(r"```" + language + r"\n(.*?)```", text, re.S)
typescript = [b for b in blocks if re.search(r"=>|\bconst |: string\b|\bimport \{|\bnew [A-Z]\w*\(.*\{\s*$", b, re.M)]
print(f"{language} README: {len(blocks)} {language} snippet(s), {len(typescript)} still TypeScript")
if not blocks or typescript:
    print(typescript[0][:400] if typescript else f"no {language} snippet", file=sys.stderr)
    sys.exit(1)
