#!/usr/bin/env python3
"""readme-fences.py LANGUAGE PATH [ASSEMBLY]

Fails unless the documentation generated for LANGUAGE carries code in that language and
none of it is still TypeScript (jsii-rosetta translated it, or it would mislabel
TypeScript as LANGUAGE). PATH is one of:

  README.md                  a generated README: its ```LANGUAGE fences
  *.whl          (python)    the wheel: the README in its METADATA (what PyPI shows) and
                             the docstrings' `Example::` blocks
  *-sources.jar  (java)      the sources jar: the Javadoc's <pre> blocks (the module README
                             is package-info.java's Javadoc). Javadoc drops the fences' language
                             and the README's JavaScript stays JavaScript, so a block counts as
                             TypeScript when it is one of the assembly's TypeScript examples
                             verbatim (ASSEMBLY, third argument, default .jsii).
  a directory    (go)        the Go module: README.md and the doc comments' `Example:` blocks
"""
import html
import json
import os
import re
import sys
import zipfile

TYPESCRIPT = re.compile(r"=>|\bconst |: string\b|\bimport \{|\bdeclare const\b|\bnew [A-Z]\w*\(.*\{\s*$", re.M)


def fences(language, text):
    return re.findall(r"```" + language + r"\n(.*?)```", text, re.S)


def python_examples(source):
    """The indented block after each `Example::` line of the docstrings."""
    blocks = []
    for match in re.finditer(r"^( *)Example::\n\n((?:\1 +\S.*\n|\n)+)", source, re.M):
        blocks.append(match.group(2))
    return blocks


def java_examples(source):
    """Every <pre> block of the Javadoc comments, without the comments' leading ` * `."""
    blocks = []
    for match in re.finditer(r"<pre>(.*?)</pre>", source, re.S):
        lines = [re.sub(r"^\s*\* ?", "", line) for line in match.group(1).splitlines()]
        blocks.append(html.unescape("\n".join(lines)))
    return blocks


def go_examples(source):
    """The `//   ` lines after each `// Example:` of the doc comments."""
    blocks = []
    for match in re.finditer(r"^\s*// Example:\n((?:\s*//(?: {2}|\t).*\n)+)", source, re.M):
        blocks.append("\n".join(re.sub(r"^\s*// ?", "", line) for line in match.group(1).splitlines()))
    return blocks


def normalized(code):
    return " ".join(code.split())


def assembly_examples(assembly):
    """The TypeScript examples of a jsii assembly: the README's ts fences and every @example."""
    spec = json.load(open(assembly, encoding="utf-8"))
    found = [normalized(b) for b in re.findall(r"```(?:ts|typescript)\n(.*?)```", spec.get("readme", {}).get("markdown", ""), re.S)]

    def visit(node):
        if isinstance(node, dict):
            example = node.get("docs", {}).get("example") if isinstance(node.get("docs"), dict) else None
            if example:
                found.append(normalized(example))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(spec.get("types", {}))
    return set(found)


def collect(language, path, assembly=".jsii"):
    """([(label, [code blocks])], None or the TypeScript examples that must not appear verbatim) for PATH."""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as whl:
            meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
            readme = fences(language, whl.read(meta).decode("utf-8"))
            examples = [b for n in whl.namelist() if n.endswith(".py")
                        for b in python_examples(whl.read(n).decode("utf-8"))]
        return [("README (METADATA)", readme), ("docstring examples", examples)], None
    if path.endswith(".jar"):
        with zipfile.ZipFile(path) as jar:
            examples = [b for n in jar.namelist() if n.endswith(".java")
                        for b in java_examples(jar.read(n).decode("utf-8"))]
        # Shell commands and JSON share the <pre> blocks with the code: only Java is required.
        java = [b for b in examples if re.search(r";\s*$", b, re.M)]
        return [("Javadoc <pre> blocks", examples), ("Java examples", java)], assembly_examples(assembly)
    if os.path.isdir(path):
        readme = fences(language, open(os.path.join(path, "README.md"), encoding="utf-8").read())
        examples = []
        for root, _, files in os.walk(path):
            for name in files:
                if name.endswith(".go"):
                    examples += go_examples(open(os.path.join(root, name), encoding="utf-8").read())
        return [("README", readme), ("doc comment examples", examples)], None
    return [("README", fences(language, open(path, encoding="utf-8").read()))], None


def main():
    language, path = sys.argv[1:3]
    groups, verbatim = collect(language, path, *sys.argv[3:4])
    failed = False
    for label, blocks in groups:
        if verbatim is None:
            typescript = [b for b in blocks if TYPESCRIPT.search(b)]
        else:
            typescript = [b for b in blocks if normalized(b) in verbatim]
        print(f"{language} {label}: {len(blocks)} block(s), {len(typescript)} still TypeScript ({path})")
        if not blocks or typescript:
            print(typescript[0][:400] if typescript else f"no {language} {label}", file=sys.stderr)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
