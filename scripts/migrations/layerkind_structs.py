#!/usr/bin/env python3
"""One-off source migration (kept for branches written before it): the layer registry turned
`LayerKind`'s struct variants into newtype variants over the kinds' attribute structs
(ir/src/ops/<kind>.rs). This rewrites `LayerKind::Dense { units, .. }` (a pattern or an
expression) into `LayerKind::Dense(ir::ops::Dense { units, .. })` in every .rs file given (inside
the ir crate the path is `crate::ops::`), and `LayerKind::Dense { .. }` into
`LayerKind::Dense(_)`. Idempotent: already-migrated uses are left alone. Run `cargo fmt` after.

    python3 scripts/migrations/layerkind_structs.py $(git ls-files '*.rs')
"""
import re
import sys

STRUCT_KINDS = ["Input", "Dense", "Conv1D", "Conv2D", "Pool1D", "Pool2D", "GlobalPool1D",
                "GlobalPool2D", "BatchNorm", "Reshape", "Concatenate", "Dropout"]
PAT = re.compile(r"LayerKind::(" + "|".join(STRUCT_KINDS) + r")(\s*)\{")


def close_brace(text, i):
    """Index of the brace closing the one at text[i], skipping strings, chars and comments."""
    depth, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                return -1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def migrate(text, prefix):
    out, pos = [], 0
    while True:
        m = PAT.search(text, pos)
        if not m:
            out.append(text[pos:])
            return "".join(out)
        open_i = m.end() - 1
        close_i = close_brace(text, open_i)
        if close_i < 0:
            raise SystemExit(f"unbalanced braces after {m.group(0)!r}")
        kind = m.group(1)
        out.append(text[pos:m.start()])
        inner = migrate(text[open_i + 1:close_i], prefix)
        out.append(f"LayerKind::{kind}({prefix}{kind} {{{inner}}})")
        pos = close_i + 1


SIMPLIFY = re.compile(r"LayerKind::(\w+)\((?:ir|crate)::ops::\1 \{\s*\.\.\s*\}\)")


def main():
    for path in sys.argv[1:]:
        if path.endswith("scripts/migrations/layerkind_structs.py"):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        prefix = "crate::ops::" if path.startswith("ir/") or "/ir/src/" in path else "ir::ops::"
        new = SIMPLIFY.sub(r"LayerKind::\1(_)", migrate(text, prefix))
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print("migrated", path)


if __name__ == "__main__":
    main()
