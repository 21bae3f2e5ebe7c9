#!/usr/bin/env bash
# Every benchmark in one run, written into BENCHMARKS.md:
#   1. scripts/bench-ocr.sh   — greenbook OCR vs the tesseract CLI (sequential and xargs -P2), same pages;
#   2. criterion benches      — OCR pages/s (1, 2 workers), extraction MB/s, numerals/s, digests/s;
#   3. scripts/bench-book.sh  — end to end on the synthetic book at 40, 160 and all pages.
# Usage: scripts/bench.sh [SYNTHETIC_BOOK_DIR]   (the book is generated when not given; ~15 min)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bench-ocr.sh
./scripts/bench-criterion.sh
./scripts/bench-book.sh "$@"
