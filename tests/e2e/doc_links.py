#!/usr/bin/env python3
# tests/e2e/doc_links.py -- every link of the project's Markdown reaches
# something: README.md, CHANGELOG.md and docs/*.md, each [text](target)
# whose target is not a URL must name a file or directory of the repository
# (relative to the file that links), and a #fragment must be the anchor of
# a heading in that file (GitHub's rule: lower case, punctuation but - and _
# dropped, spaces to -).  Fenced code blocks are skipped.
#
#   tests/e2e/doc_links.py [REPO-DIR]    (default: the checkout it is in)
#
# Exit 0: every link resolves; 1: the broken ones are listed as FILE:LINE.
import glob
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def lines_outside_code(path):
    fence = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.lstrip().startswith("```"):
                fence = not fence
                continue
            if not fence:
                yield n, line


def anchors(path):
    seen = {}
    out = set()
    for _, line in lines_outside_code(path):
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))
        a = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        k = seen.get(a, 0)
        seen[a] = k + 1
        out.add(a if k == 0 else "%s-%d" % (a, k))
    return out


def main():
    files = [os.path.join(ROOT, f) for f in ("README.md", "CHANGELOG.md")]
    files += sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    bad = 0
    checked = 0
    for path in files:
        if not os.path.exists(path):
            continue
        rel = os.path.relpath(path, ROOT)
        for n, line in lines_outside_code(path):
            for target in LINK.findall(line):
                if re.match(r"[a-z][a-z0-9+.-]*:", target):
                    continue  # a URL (https:, mailto:)
                checked += 1
                file_part, _, frag = target.partition("#")
                dest = os.path.normpath(os.path.join(
                    os.path.dirname(path), file_part)) if file_part else path
                if not os.path.exists(dest):
                    print("%s:%d: %s: no such file" % (rel, n, target))
                    bad += 1
                elif frag and (not dest.endswith(".md")
                               or frag not in anchors(dest)):
                    print("%s:%d: %s: no such heading" % (rel, n, target))
                    bad += 1
    print("%d links checked, %d broken" % (checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
