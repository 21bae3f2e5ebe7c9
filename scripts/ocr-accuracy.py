#!/usr/bin/env python3
"""OCR accuracy on what the facts depend on, per text folder: community names read exactly (each gold
case's community name appears verbatim in the OCR text of its first page) and numbers read exactly
(every digit run of each truth page, NFKC, found in that page's OCR text as a multiset), beside the
CER that `greenbook eval-ocr` gives. Usage: scripts/ocr-accuracy.py SET_DIR TEXT_DIR...
SET_DIR holds truth/ and gold.jsonl (greenbook-synth eval-set)."""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

NUMBER = re.compile(r"\d[\d,.]*")


def read(path):
    """NFKC, with digit groups joined ("1 418" and "1418" are the same number)."""
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        text = unicodedata.normalize("NFKC", f.read())
    return re.sub(r"(?<=\d)[ \u2009\u202f](?=\d{3}(?!\d))", "", text)


def squeeze(s):
    return re.sub(r"\s+", "", s)


def cer(truth, hyp):
    t, h = squeeze(truth), squeeze(hyp)
    prev = list(range(len(h) + 1))
    for i, a in enumerate(t):
        cur = [i + 1]
        for j, b in enumerate(h):
            cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (a != b)))
        prev = cur
    return prev[-1], len(t)


set_dir, dirs = sys.argv[1], sys.argv[2:]
truth_dir = os.path.join(set_dir, "truth")
gold = [json.loads(l) for l in open(os.path.join(set_dir, "gold.jsonl"), encoding="utf-8") if l.strip()]
for d in dirs:
    edits = chars = 0
    total = found = 0
    for name in sorted(os.listdir(truth_dir)):
        truth = read(os.path.join(truth_dir, name))
        hyp = read(os.path.join(d, name))
        e, n = cer(truth, hyp)
        edits, chars = edits + e, chars + n
        left = Counter(NUMBER.findall(hyp))
        for num in NUMBER.findall(truth):
            total += 1
            if left[num] > 0:
                left[num] -= 1
                found += 1
    names = sum(
        1
        for g in gold
        if g.get("community") and squeeze(unicodedata.normalize("NFKC", g["community"]))
        in squeeze(read(os.path.join(d, g["page"] + ".txt")))
    )
    named = sum(1 for g in gold if g.get("community"))
    print(
        f"{d}\tCER {100 * edits / max(chars, 1):.2f} %\tnames exact {names}/{named} "
        f"({100 * names / max(named, 1):.1f} %)\tnumbers exact {found}/{total} ({100 * found / max(total, 1):.1f} %)"
    )
