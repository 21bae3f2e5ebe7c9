#!/usr/bin/env bash
# Installs what greenbook needs on Debian 12, if missing. Idempotent; quiet when everything is there.
set -euo pipefail
packages=(libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd
          libclang-dev clang pkg-config fonts-noto-cjk poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The analysts' tools the tests run the documented queries with (docs/schema.md, README).
if ! python3 -c "import polars, duckdb" 2>/dev/null; then
  echo "setup: installing the Python packages polars and duckdb" >&2
  python3 -m pip install -q --disable-pip-version-check polars duckdb 2>&1 | grep -v -i "warning" >&2 || true
  python3 -c "import polars, duckdb"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found: install Rust (1.85 or newer, edition 2024) with rustup" >&2
  exit 1
fi
