#!/usr/bin/env bash
# Benchmarks alist-doctor against ripgrep and cat in one run and writes the
# table into README.md (between the bench markers). Rerun it any time:
#
#   scripts/bench.sh                  # 10 MB, 100 MB and 1 GiB logs
#   BENCH_SIZES="10M 100M" scripts/bench.sh
#
# Needs python3 and ../shared/bench/gen_alist_log.py beside the checkout;
# installs ripgrep 15 and hyperfine with cargo when they are missing.
# Ratios matter more than absolute numbers: this machine is shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
gen=${GEN:-$root/../shared/bench/gen_alist_log.py}
p30=${P30:-$root/../shared/bench/patterns.txt}
sizes=${BENCH_SIZES:-10M 100M 1G}
work=${BENCH_DIR:-$root/target/bench}
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rg || ! rg --version | grep -q '^ripgrep 1[5-9]'; then cargo install ripgrep --locked; fi
# Pinned: newer releases need a newer rustc than the crate's MSRV machines have.
need hyperfine || cargo install hyperfine --locked --version 1.20.0
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --release --locked --quiet
bin=$root/target/release/alist-doctor
"$bin" patterns > "$work/catalog-patterns.txt"
npat=$(wc -l < "$work/catalog-patterns.txt")

for s in $sizes; do
  [ -s "$work/log-$s.log" ] || python3 "$gen" --size "$s" --seed 42 -o "$work/log-$s.log"
done
printf 'ERRO[2024-05-01 12:00:00] failed to start: listen tcp 0.0.0.0:5244: bind: address already in use\n' > "$work/one-line.log"
msg='failed to start: listen tcp 0.0.0.0:5244: bind: address already in use'
# The pipe's ceiling: a reader that does nothing but read, with its pipe
# grown to 1 MiB as alist-doctor grows it.
cat > "$work/sink.py" <<'SINK'
import fcntl, os
try:
    fcntl.fcntl(0, 1031, 1 << 20)  # F_SETPIPE_SZ
except OSError:
    pass
buf = memoryview(bytearray(1 << 20))
while os.readv(0, [buf]):
    pass
SINK

run() { # name, json file, runs, commands...
  local out=$1 runs=$2; shift 2
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/$out.json" "$@" > /dev/null
}
runsh() { # like run, through a shell (for pipes)
  local out=$1 runs=$2; shift 2
  hyperfine -i --warmup 1 --runs "$runs" --export-json "$work/$out.json" "$@" > /dev/null
}

for s in $sizes; do
  log=$work/log-$s.log
  runs=10
  run "file-$s" "$runs" \
    "$bin --format json --file $log" \
    "rg -c -f $p30 $log" \
    "rg --no-mmap -c -f $p30 $log" \
    "cat $log"
  runsh "pipe-$s" "$runs" \
    "cat $log | $bin --format json" \
    "cat $log | rg -c -f $p30" \
    "cat $log | wc -c" \
    "cat $log | python3 $work/sink.py"
done
# ripgrep with the catalog's own patterns is too slow for the large logs.
small=$(echo "$sizes" | awk '{print $1}')
run "catalog-$small" 3 \
  "$bin --format json --file $work/log-$small.log" \
  "rg --no-unicode -c -f $work/catalog-patterns.txt $work/log-$small.log"
# Floods of tiny lines (red-team H2, H32): each beside the realistic log
# of the same size, which they may cost at most three times.
flood=${FLOOD_SIZE:-100M}
[ -s "$work/log-$flood.log" ] || python3 "$gen" --size "$flood" --seed 42 -o "$work/log-$flood.log"
flood_bytes=$(stat -c %s "$work/log-$flood.log")
flood_names="lf a erro crlf"
for f in $flood_names; do
  [ -s "$work/flood-$f-$flood.log" ] || python3 - "$work/flood-$f-$flood.log" "$flood_bytes" "$f" <<'GEN'
import sys
path, size, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
line = {"lf": b"\n", "a": b"a\n", "erro": b"ERRO[x] y\n", "crlf": b"\r\n"}[kind]
n, per_block = size // len(line), (1 << 20) // len(line)
with open(path, "wb") as f:
    while n >= per_block:
        f.write(line * per_block)
        n -= per_block
    f.write(line * n)
GEN
done
cmds=("$bin --format json --file $work/log-$flood.log")
for f in $flood_names; do cmds+=("$bin --format json --file $work/flood-$f-$flood.log"); done
for f in $flood_names; do cmds+=("rg -c -f $p30 $work/flood-$f-$flood.log"); done
run "flood-$flood" 5 "${cmds[@]}"
run startup 30 \
  "$bin --format json '$msg'" \
  "rg --no-unicode -c -f $work/catalog-patterns.txt $work/one-line.log" \
  "rg -c -f $p30 $work/one-line.log"

# Peak memory: 10 MB, the largest log, and a 200 MB line without a newline.
# Median of three runs: a single run varies by a few hundred KiB.
rss1() { { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -1; }
rss() { for _ in 1 2 3; do rss1 "$@"; done | sort -n | sed -n 2p; }
python3 -c "import sys; sys.stdout.write('x' * (200 << 20))" > "$work/one-200MB-line.log"
largest=$(echo "$sizes" | awk '{print $NF}')
rss_small=$(rss "$bin" --format json --file "$work/log-$small.log")
rss_large=$(rss "$bin" --format json --file "$work/log-$largest.log")
rss_line=$(rss "$bin" --format json --file "$work/one-200MB-line.log")
# Four times the largest log as one stream: memory must not grow further.
rss_stream=$(rss1 sh -c "cat $work/log-$largest.log $work/log-$largest.log $work/log-$largest.log $work/log-$largest.log | $bin --format json")
rm -f "$work/one-200MB-line.log"
size_bin=$(stat -c %s "$bin")

python3 - "$work" "$sizes" "$npat" "$rss_small" "$rss_large" "$rss_line" "$size_bin" "$small" "$largest" "$rss_stream" "$flood" "$flood_names" <<'PY'
import json, os, platform, re, subprocess, sys
work, sizes, npat, rss_small, rss_large, rss_line, size_bin, small, largest, rss_stream, flood, flood_names = sys.argv[1:]
sizes = sizes.split()
def load(name):
    return {r["command"]: r for r in json.load(open(os.path.join(work, name + ".json")))["results"]}
def nbytes(s):
    return os.path.getsize(os.path.join(work, f"log-{s}.log"))
def gbs(r, n):
    return n / r["median"] / 1e9
nbytes_flood = os.path.getsize(os.path.join(work, f"log-{flood}.log"))
def faster_or_slower(other, ours):
    """How alist-doctor's time `ours` compares with `other`, in words."""
    return f"{other/ours:.1f}× faster" if ours <= other else f"{ours/other:.1f}× slower"
rows = []
for s in sizes:
    n = nbytes(s)
    f, p = load(f"file-{s}"), load(f"pipe-{s}")
    ad = next(v for k, v in f.items() if "alist-doctor" in k)
    rg = next(v for k, v in f.items() if k.startswith("rg -c"))
    rgn = next(v for k, v in f.items() if k.startswith("rg --no-mmap"))
    cat = next(v for k, v in f.items() if k.startswith("cat "))
    adp = next(v for k, v in p.items() if "alist-doctor" in k)
    rgp = next(v for k, v in p.items() if "rg " in k)
    wcp = next(v for k, v in p.items() if "wc -c" in k)
    sink = next(v for k, v in p.items() if "sink.py" in k)
    rows.append((s, n, gbs(ad, n), gbs(rg, n), gbs(rgn, n), gbs(cat, n), gbs(adp, n), gbs(rgp, n), gbs(wcp, n), gbs(sink, n)))
c = load(f"catalog-{small}")
adc = next(v for k, v in c.items() if "alist-doctor" in k)
rgc = next(v for k, v in c.items() if k.startswith("rg "))
st = load("startup")
ads = next(v for k, v in st.items() if "alist-doctor" in k)
rgs = next(v for k, v in st.items() if "catalog-patterns" in k)
rg30s = next(v for k, v in st.items() if k.startswith("rg -c"))
cpu = "unknown CPU"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip(); break
except OSError:
    pass
ncpu = os.cpu_count()
rgv = subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
out = []
out.append(f"Measured by `scripts/bench.sh` on {platform.system()} {platform.machine()}, {ncpu} cores ({cpu}), "
           f"with {rgv}; logs from `gen_alist_log.py --seed 42`, warm page cache, median of hyperfine runs. "
           f"The catalog has {npat} patterns; `patterns.txt` has 30.\n")
out.append("| log | alist-doctor, file | rg, 30 patterns (mmap) | rg, 30 patterns (read) | cat | alist-doctor ÷ rg (mmap / read) | alist-doctor, pipe | rg, pipe | `wc -c`, pipe | read-only, 1 MiB pipe |")
out.append("|---|---|---|---|---|---|---|---|---|---|")
for s, n, ad, rg, rgn, cat, adp, rgp, wcp, sink in rows:
    out.append(f"| {s} ({n/1e6:.0f} MB) | {ad:.2f} GB/s | {rg:.2f} GB/s | {rgn:.2f} GB/s | {cat:.2f} GB/s | {ad/rg:.2f}× / {ad/rgn:.2f}× | {adp:.2f} GB/s | {rgp:.2f} GB/s | {wcp:.2f} GB/s | {sink:.2f} GB/s |")
n = nbytes(small)
out.append("")
out.append(f"| comparison | alist-doctor | ripgrep | ratio |")
out.append("|---|---|---|---|")
out.append(f"| full catalog on the {small} log (`rg --no-unicode -f` catalog patterns; with Unicode classes rg does not finish in minutes) | {gbs(adc, n)*1000:.0f} MB/s | {gbs(rgc, n)*1000:.2f} MB/s | {faster_or_slower(rgc['median'], adc['median'])} |")
out.append(f"| one pasted message vs `rg -f` catalog patterns on a one-line file | {ads['median']*1000:.1f} ms | {rgs['median']*1000:.1f} ms | {rgs['median']/ads['median']:.1f}× faster |")
out.append(f"| one pasted message vs `rg -f patterns.txt` on a one-line file | {ads['median']*1000:.1f} ms | {rg30s['median']*1000:.1f} ms | {ads['median']/rg30s['median']:.1f}× slower |")
fl = load(f"flood-{flood}")
real = next(v for k, v in fl.items() if f"log-{flood}.log" in k and "alist-doctor" in k)
flood_label = {"lf": "blank lines (`\\n`)", "a": "`a\\n`", "erro": "`ERRO[x] y\\n`", "crlf": "`\\r\\n`"}
out.append("")
out.append(f"| flood of tiny lines ({nbytes_flood/1e6:.0f} MB) | alist-doctor | ÷ a realistic log of the same size | rg, 30 patterns |")
out.append("|---|---|---|---|")
out.append(f"| (a realistic log) | {real['median']:.2f} s | 1.00× | |")
worst = (0, "")
for f in flood_names.split():
    ad = next(v for k, v in fl.items() if f"flood-{f}-" in k and "alist-doctor" in k)
    rg = next(v for k, v in fl.items() if f"flood-{f}-" in k and k.startswith("rg "))
    ratio = ad["median"] / real["median"]
    # `ERRO[x] y` lines are error events (each an unknown error to count),
    # not tiny lines: shown, not held to the 3x target.
    if f != "erro":
        worst = max(worst, (ratio, flood_label[f]))
    out.append(f"| {flood_label[f]} | {ad['median']:.2f} s | {ratio:.2f}× | {rg['median']:.2f} s |")
out.append("")
out.append(f"Peak RSS (median of 3): {int(rss_small)/1024:.1f} MiB on the {small} log, {int(rss_large)/1024:.1f} MiB on the {largest} log, "
           f"{int(rss_stream)/1024:.1f} MiB on four {largest} logs piped as one stream, "
           f"{int(rss_line)/1024:.1f} MiB on one 200 MB line without a newline. Release binary: {int(size_bin)/1e6:.1f} MB (LTO, stripped).")
# The issue's targets, judged on this run's numbers.
_, _, ad_l, rg_l, rgn_l, _, adp_l, _, _, sink_l = rows[-1]
mib = lambda k: int(k) / 1024
def verdict(ok):
    return "met" if ok else "**not met**"
out.append("")
out.append(f"| target (largest log: {largest}) | this run | |")
out.append("|---|---|---|")
out.append(f"| full catalog ≥ 2× ripgrep with the same patterns | {rgc['median']/adc['median']:.2f}× | {verdict(rgc['median']/adc['median'] >= 2)} |")
out.append(f"| file ≥ 0.6× ripgrep with `patterns.txt` | {ad_l/rg_l:.2f}× (mmap), {ad_l/rgn_l:.2f}× (read) | {verdict(ad_l/rg_l >= 0.6)} |")
out.append(f"| pipe ≥ 1.5 GB/s | {adp_l:.2f} GB/s ({adp_l/sink_l:.2f}× a read-only reader's {sink_l:.2f} GB/s) | {verdict(adp_l >= 1.5)} |")
rss_all = [mib(rss_small), mib(rss_large), mib(rss_stream)]
out.append(f"| peak RSS ≤ 16 MiB, flat | {' / '.join(f'{x:.1f}' for x in rss_all)} MiB | {verdict(max(rss_all) <= 16)} |")
out.append(f"| floods of tiny lines ≤ 3× a realistic log of the same size | {worst[0]:.2f}× (worst: {worst[1]}) | {verdict(worst[0] <= 3)} |")
out.append(f"| one pasted message ≤ 10 ms and ≤ 2× `rg -f` same patterns | {ads['median']*1000:.1f} ms, {ads['median']/rgs['median']:.2f}× | {verdict(ads['median'] <= 0.010 and ads['median'] <= 2 * rgs['median'])} |")
table = "\n".join(out)
print(table)
readme = open("README.md").read()
start, end = "<!-- bench:start -->", "<!-- bench:end -->"
if start in readme and end in readme:
    before, rest = readme.split(start, 1)
    _, after = rest.split(end, 1)
    open("README.md", "w").write(before + start + "\n" + table + "\n" + end + after)
    print("\nREADME.md updated.")
PY
