#!/usr/bin/env python3
"""OCR accuracy on what the facts depend on, per text folder: community names read exactly (each gold
case's community name appears verbatim in the OCR text of its first image) and numbers read exactly
(every digit run of each truth file, NFKC, found in that image's OCR text as a multiset), beside the
CER that `greenbook eval-ocr` gives and the order-free CER (the characters compared as multisets: the
gap between the two is what reading order loses). An image greenbook splits into two pages (a spread,
`s001` read as `s001-L` and `s001-R`, or labelled from its folios as `p062` and `p063`, which the
`pages.jsonl` beside TEXT_DIR tells) is scored as its pages' texts in order.
Usage: scripts/ocr-accuracy.py SET_DIR TEXT_DIR...
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


def labels_by_image(d):
    """Image stem → the labels of its pages, in order, from the pages.jsonl beside text folder `d`."""
    out = {}
    path = os.path.join(os.path.dirname(os.path.abspath(d)), "pages.jsonl")
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.strip():
                p = json.loads(line)
                stem = os.path.splitext(os.path.basename(p["file"]))[0]
                out.setdefault(stem, []).append(p["label"])
    return out


def read_image(d, stem):
    """The OCR text of one image: `stem.txt`, else its pages' (`pages.jsonl`), else its halves
    `stem-L.txt` then `stem-R.txt`."""
    whole = os.path.join(d, stem + ".txt")
    if os.path.exists(whole):
        return read(whole)
    labels = LABELS.setdefault(d, labels_by_image(d)).get(stem) or [f"{stem}-L", f"{stem}-R"]
    return "\n".join(read(os.path.join(d, f"{label}.txt")) for label in labels)


LABELS = {}


def order_free(truth, hyp):
    """Edits when order does not count: characters missing or extra as multisets."""
    t, h = Counter(squeeze(truth)), Counter(squeeze(hyp))
    common = sum((t & h).values())
    return max(sum(t.values()), sum(h.values())) - common


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
gold_path = os.path.join(set_dir, "gold.jsonl")  # absent for scans/: no names counted
gold = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()] if os.path.exists(gold_path) else []
for d in dirs:
    edits = chars = loose = 0
    total = found = 0
    for name in sorted(os.listdir(truth_dir)):
        truth = read(os.path.join(truth_dir, name))
        hyp = read_image(d, name[: -len(".txt")])
        e, n = cer(truth, hyp)
        edits, chars = edits + e, chars + n
        loose += order_free(truth, hyp)
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
        in squeeze(read_image(d, g["page"]))
    )
    named = sum(1 for g in gold if g.get("community"))
    print(
        f"{d}\tCER {100 * edits / max(chars, 1):.2f} %\torder-free CER {100 * loose / max(chars, 1):.2f} %\tnames exact {names}/{named} "
        f"({100 * names / max(named, 1):.1f} %)\tnumbers exact {found}/{total} ({100 * found / max(total, 1):.1f} %)"
    )
