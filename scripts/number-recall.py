#!/usr/bin/env python3
"""Share of the numbers in truth texts that OCR read exactly: every digit run of each truth page (NFKC)
counts as found when the OCR text of that page holds it (multiset). The CER is mostly Han characters;
numbers are what the extracted facts depend on. Usage: scripts/number-recall.py TRUTH_DIR TEXT_DIR..."""
import os
import re
import sys
import unicodedata
from collections import Counter

NUMBER = re.compile(r"\d[\d,.]*")


def read(path):
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return unicodedata.normalize("NFKC", f.read())


truth, dirs = sys.argv[1], sys.argv[2:]
for d in dirs:
    total = found = 0
    for name in os.listdir(truth):
        left = Counter(NUMBER.findall(read(os.path.join(d, name))))
        for n in NUMBER.findall(read(os.path.join(truth, name))):
            total += 1
            if left[n] > 0:
                left[n] -= 1
                found += 1
    print(f"{d}: {found} of {total} numbers read exactly ({100 * found / max(total, 1):.1f} %)")
