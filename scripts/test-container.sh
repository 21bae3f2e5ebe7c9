#!/usr/bin/env bash
# The container image of the cluster recipes, built and run for real: the Dockerfile (linted by
# scripts/test-deploy.sh) is built with Debian's buildah, and the image then OCRs the committed scans
# as its unprivileged user with both engines (Tesseract, and PP-OCR through ONNX Runtime).
#
#   scripts/test-container.sh                 # root or sudo: installs buildah, podman, debootstrap
#   scripts/test-container.sh --prebuilt BIN  # the image around BIN instead of compiling greenbook in
#                                             # it (CI: the binary its tests ran)
#
# Base images: the Dockerfile names docker.io's rust and debian images. This machine reaches no image
# registry, so when they cannot be pulled the script makes local stand-ins, named as such: a Debian 12
# minbase from deb.debian.org (debootstrap) trusting this machine's local CAs (its network reaches
# crates.io and PyPI through a TLS proxy), and that plus this machine's Rust toolchain, gcc and
# libc6-dev (what the official rust:slim image holds). The stages themselves run unchanged.
# Containers run with buildah's chroot isolation: here `podman run` (crun) is refused setrlimit.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "test-container: FAIL: $*" >&2; exit 1; }
say() { echo "test-container: $*" >&2; }
[ "$(id -u)" -eq 0 ] || fail "run as root (buildah stores images under /var/lib/containers)"
prebuilt=""
if [ "${1:-}" = --prebuilt ]; then
  prebuilt="${2:?--prebuilt needs the binary}"
  [ -x "$prebuilt" ] || fail "--prebuilt $prebuilt: not an executable"
fi

"$root/scripts/setup.sh" --apt buildah podman debootstrap

work="$(mktemp -d /tmp/greenbook-container.XXXXXX)"
ctr=""
cleanup() {
  local rc=$?
  [ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1
  rm -rf "$work" "$root/.prebuilt"
  exit $rc
}
trap cleanup EXIT

# 1. Base images: the real ones when a registry answers, else local stand-ins.
debian_image=docker.io/library/debian:bookworm-slim
rust_image=docker.io/library/rust:1.95-slim-bookworm
if ! timeout 60 buildah pull -q "$debian_image" >/dev/null 2>&1; then
  debian_image=localhost/greenbook-standin/debian:bookworm-minbase-localca
  if ! buildah inspect "$debian_image" >/dev/null 2>&1; then
    say "no registry: making $debian_image with debootstrap"
    debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >/dev/null
    tar -C "$work/rootfs" -c . | podman import -q - "$debian_image-bare" >/dev/null
    rm -rf "$work/rootfs"
    # This machine reaches crates.io and PyPI through a TLS proxy whose CA it trusts
    # (/usr/local/share/ca-certificates); the stand-in trusts the same CAs, as an institution's
    # base image would. The Dockerfile itself carries no CA.
    c=$(buildah from "$debian_image-bare")
    buildah run --isolation chroot "$c" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*'
    for crt in /usr/local/share/ca-certificates/*.crt; do
      [ -f "$crt" ] && buildah copy -q "$c" "$crt" /usr/local/share/ca-certificates/ >/dev/null
    done
    buildah run --isolation chroot "$c" -- update-ca-certificates >/dev/null 2>&1
    buildah commit -q "$c" "$debian_image" >/dev/null
    buildah rm "$c" >/dev/null
    buildah rmi "$debian_image-bare" >/dev/null
  fi
fi
if ! timeout 60 buildah pull -q "$rust_image" >/dev/null 2>&1; then
  rust_image=localhost/greenbook-standin/rust:$(rustc --version | cut -d' ' -f2)-bookworm-localca
  if ! buildah inspect "$rust_image" >/dev/null 2>&1; then
    say "no registry: making $rust_image from $debian_image and this machine's toolchain"
    c=$(buildah from "$debian_image")
    buildah run --isolation chroot "$c" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates gcc libc6-dev >/dev/null && rm -rf /var/lib/apt/lists/*'
    buildah copy -q "$c" "$(rustc --print sysroot)" /usr/local/rust >/dev/null
    buildah config --env PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env CARGO_HOME=/usr/local/cargo "$c"
    buildah commit -q "$c" "$rust_image" >/dev/null
    buildah rm "$c" >/dev/null
  fi
fi

# 2. Build: greenbook compiled in the image, or the binary given, stripped, from .prebuilt/.
t0=$(date +%s)
binary=build
if [ -n "$prebuilt" ]; then
  binary=prebuilt
  mkdir -p "$root/.prebuilt"
  install -s -m 755 "$prebuilt" "$root/.prebuilt/greenbook"
fi
buildah bud --isolation chroot --layers -q \
  --build-arg RUST_IMAGE="$rust_image" --build-arg DEBIAN_IMAGE="$debian_image" \
  --build-arg BINARY="$binary" \
  -t localhost/greenbook:test "$root" >/dev/null || fail "the image did not build"
t1=$(date +%s)
size=$(buildah images --format '{{.Size}}' localhost/greenbook:test | head -1)
say "built localhost/greenbook:test (binary: $binary) in $((t1 - t0)) s ($size)"

# 3. Run it: the unprivileged user, both engines, the committed scans mounted read-only.
ctr=$(buildah from localhost/greenbook:test)
in_image() { buildah run --isolation chroot -v "$root/scans:/data/scans:ro" "$ctr" -- "$@"; }
uid=$(in_image id -u)
[ "$uid" = 10001 ] || fail "the image runs as uid $uid, not the unprivileged 10001"
out=$(in_image greenbook ocr /data/scans -o /tmp/out --jobs 2 --engine tesseract 2>&1) || fail "Tesseract OCR in the image failed: $out"
echo "$out" | grep -q "ocr: 15 pages, 15 ok, 0 failed" || fail "unexpected: $out"
out=$(in_image greenbook ocr /data/scans/p002.png -o /tmp/out2 --engine ppocr --text-dir /tmp/t 2>&1) \
  || fail "PP-OCR in the image failed: $out"
echo "$out" | grep -q "1 ok, 0 failed" || fail "unexpected: $out"
text=$(in_image cat /tmp/t/p002.txt)
echo "$text" | grep -q "绿地崑廉居民区" || fail "PP-OCR in the image did not read p002: $text"
say "PASS: the image runs as uid 10001; Tesseract read 15/15 pages, PP-OCR read p002 ($size, built in $((t1 - t0)) s)"
