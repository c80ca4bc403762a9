# alist-doctor in a container:
#   docker build -t alist-doctor .
#   docker logs alist 2>&1 | docker run --rm -i alist-doctor
#   docker run --rm -v /path/to/alist/data:/data:ro --user 0 alist-doctor --file /data/log/log.log

# --- build ------------------------------------------------------------------
# Debian 12 (bookworm) here and in the runtime stage: the binary links glibc
# dynamically, so the builder's glibc must not be newer than the runtime's.
FROM rust:1-slim-bookworm AS build
WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when Cargo.toml or
# Cargo.lock change, not on every catalog or source edit.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && cargo build --release --locked \
    && rm -rf src target/release/.fingerprint/alist-doctor-* \
              target/release/deps/alist_doctor-* target/release/alist-doctor*

# The crate itself: build.rs embeds every data/*.yaml into the binary.
COPY build.rs ./
COPY data ./data
COPY src ./src
RUN touch build.rs src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && ./target/release/alist-doctor --version

# --- runtime ----------------------------------------------------------------
# distroless/cc: glibc and libgcc_s, no shell; the :nonroot tag has uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot

LABEL org.opencontainers.image.title="alist-doctor" \
      org.opencontainers.image.description="Explains AList and OpenList errors: paste a message or pipe a whole log" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

COPY --from=build /src/target/release/alist-doctor /usr/local/bin/alist-doctor
USER 65532:65532
ENTRYPOINT ["alist-doctor"]
