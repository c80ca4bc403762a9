#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time each:
#
#   scripts/fuzz.sh                   # 60 seconds a target
#   FUZZ_SECONDS=600 scripts/fuzz.sh  # longer
#   scripts/fuzz.sh log_reader        # only the targets named
#
# libFuzzer needs a nightly toolchain (-Z sanitizer). Where none is
# installed this says so and exits 0: nothing here installs a toolchain.
# cargo-fuzz is installed from crates.io when missing. Each target starts
# from its own corpus (fuzz/corpus/TARGET, kept between runs, not committed)
# plus seeds from the repository: the fixture logs for log_reader, the
# catalog files for catalog_loader. A crash stops the script with libFuzzer's
# report; the input is left in fuzz/artifacts/TARGET/.
#
# CI does not run this (it needs nightly); it checks that the targets build
# on stable instead (`cargo check --locked` in fuzz/, in .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}

if ! command -v rustup >/dev/null 2>&1 || ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: no nightly Rust toolchain installed here (libFuzzer needs one); not fuzzing."
  echo "fuzz.sh: with rustup: rustup toolchain install nightly, then run this again."
  exit 0
fi
echo "fuzz.sh: $(rustup run nightly rustc --version)"
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

# LeakSanitizer's check at exit: the same purposeful leaks (the embedded
# catalog's lists, loaded once) are suppressed by name, nothing else.
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

for t in "${targets[@]}"; do
  flags=(-max_total_time="$secs")
  case $t in
    log_reader) seeds=(tests/fixtures/logs) ;;
    # The catalog loader leaks each loaded catalog's text on purpose (once
    # per load, so entries can borrow from it for the process's life):
    # under libFuzzer that is a "leak" per input, not a bug, hence
    # -detect_leaks=0. The catalog files are seeds cut to 16 KiB: whole
    # ones (up to 230 KB) run at a few inputs a second.
    catalog_loader) seeds=(data); flags+=(-detect_leaks=0 -max_len=16384) ;;
    *) seeds=() ;;
  esac
  mkdir -p "fuzz/corpus/$t"
  echo "== fuzz $t for ${secs}s (${flags[*]})"
  cargo +nightly fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" "${seeds[@]}" -- "${flags[@]}"
done
echo "fuzz.sh: ${#targets[@]} target(s), ${secs}s each, no crash"
