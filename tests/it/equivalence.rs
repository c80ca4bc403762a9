//! The fast scanner (quick line classification, hit cache, captures only
//! for the reported hit, both cores on large files) must report exactly what
//! the straightforward path reports: every line through the full envelope
//! parser, every candidate's captures, no cache, one thread.

use std::path::Path;
use std::process::Command as Std;

use alist_doctor::testing::{Summary, reference_summary};
use serde_json::Value;

/// (id, captures) -> (count, first line, last line), by the plain path.
fn reference(log: &Path) -> (Summary, u64) {
    reference_summary(&std::fs::read(log).unwrap())
}

/// How the fast path is given the log: a file named with `--file`,
/// standard input from a pipe or redirected from the file (workers read
/// these themselves), or a FIFO named with `--file` (a reader thread hands
/// its chunks on).
const HOW: [&str; 4] = ["file", "pipe", "redirect", "fifo"];

fn fast(log: &Path, how: &str) -> (Summary, u64) {
    fast_with(log, how, &[])
}

fn fast_with(log: &Path, how: &str, extra: &[&str]) -> (Summary, u64) {
    let args = ["--format", "json", "--no-redact"];
    let out = match how {
        "pipe" => crate::util::doctor()
            .args(args)
            .args(extra)
            .write_stdin(std::fs::read(log).unwrap())
            .output(),
        // `< log`: assert_cmd can only pipe standard input.
        "redirect" => crate::util::doctor_std()
            .args(args)
            .args(extra)
            .stdin(std::fs::File::open(log).unwrap())
            .output(),
        "fifo" => {
            let dir = tempfile::tempdir().unwrap();
            let fifo = dir.path().join("log");
            assert!(Std::new("mkfifo").arg(&fifo).status().unwrap().success());
            let (writer_path, log) = (fifo.clone(), log.to_path_buf());
            let writer = std::thread::spawn(move || {
                let data = std::fs::read(log).unwrap();
                std::fs::write(writer_path, data).unwrap();
            });
            let out = crate::util::doctor()
                .args(args)
                .args(extra)
                .arg("--file")
                .arg(&fifo)
                .output();
            writer.join().unwrap();
            out
        }
        _ => crate::util::doctor()
            .args(args)
            .args(extra)
            .arg("--file")
            .arg(log)
            .output(),
    }
    .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = crate::util::summary_of(&v);
    (s, v["summary"]["unknown_occurrences"].as_u64().unwrap())
}

#[test]
fn fast_scanner_equals_the_reference_path() {
    let dir = tempfile::tempdir().unwrap();
    // 9 MB: above the size at which both cores are used.
    for (seed, format) in [11, 12, 13, 14].into_iter().zip(crate::loggen::FORMATS) {
        let log = dir.path().join(format!("{seed}.log"));
        std::fs::write(
            &log,
            crate::loggen::generate(9 << 20, seed, format, 0.004).text,
        )
        .unwrap();
        let (want, want_unknown) = reference(&log);
        for how in HOW {
            let (got, got_unknown) = fast(&log, how);
            assert!(!want.is_empty());
            let diff = crate::util::differences(&want, &got, |k, w, g| {
                format!("{k:?}: reference {w:?}, fast {g:?}")
            });
            assert!(
                diff.is_empty(),
                "seed {seed} {format:?} {how}:\n{}",
                diff.join("\n")
            );
            assert_eq!(got_unknown, want_unknown, "seed {seed} {format:?} {how}");
        }
    }
}

/// Events that span chunk boundaries (the parallel scanner cuts its input
/// every few hundred KiB): long `%+v` dumps, a stretch of lines without any
/// envelope longer than a chunk, one event whose continuation lines run over
/// several chunks, Go panics, CRLF endings and a last line without newline.
#[test]
fn events_across_chunk_boundaries_equal_the_reference_path() {
    let mut log = String::new();
    let mut n = 0u32;
    let dump = |log: &mut String, n: &mut u32| {
        *n += 1;
        log.push_str(&format!(
            "\x1b[31mERRO\x1b[0m[2025-03-14 09:27:{:02}] failed list /quark/Movies{n}: require login [guest]\n\
             failed to list objs\n\
             github.com/alist-org/alist/v3/internal/op.List.func1\n\
             \t/source/internal/op/fs.go:128\n\
             runtime.goexit\n\
             \t/usr/local/go/src/runtime/asm_amd64.s:1700\n\
             failed get objs \n\
             [GIN] 2025/03/14 - 09:27:10 | 200 |  1.5ms | 1.2.3.4 | POST \"/api/fs/list\"\n\
             WARN[2025-03-14 09:27:11] failed get objs: failed to list objs: TooManyRequests:Too Many Requests {n}\r\n\
             INFO[2025-03-14 09:27:11] routine line\n",
            *n % 60
        ));
    };
    while log.len() < 900_000 {
        dump(&mut log, &mut n);
    }
    // Longer than a chunk without a line that starts an event afresh.
    while log.len() < 1_700_000 {
        n += 1;
        log.push_str(&format!(
            "listen tcp 0.0.0.0:{n}: bind: address already in use\n"
        ));
    }
    // One event whose continuation lines cover several chunks.
    log.push_str(
        "ERRO[2025-03-14 09:28:00] failed get objs: failed to list objs: object not found\n",
    );
    while log.len() < 2_900_000 {
        log.push_str("\t/source/internal/op/fs.go:128 +0x1f\n");
    }
    log.push_str(
        "panic: runtime error: invalid memory address or nil pointer dereference\n\n\
         goroutine 77 [running]:\n\
         github.com/alist-org/alist/v3/drivers/baidu_photo.(*BaiduPhoto).List(0xc0, {0x1, 0xc0})\n\
         \t/src/drivers/baidu_photo/driver.go:99 +0x1f\n",
    );
    // The same panics over and over: their frames are soon answered from
    // the table of known frames, and the one naming the driver must still
    // reach the match text.
    for i in 0..300 {
        let driver = ["baidu_photo", "aliyundrive_open", "quark"][i % 3];
        log.push_str(&format!(
            "panic: runtime error: index out of range [{}] with length 0\n\n\
             goroutine 1 [running]:\n\
             github.com/alist-org/alist/v3/drivers/{driver}.(*Driver).List(0xc0)\n\
             \t/src/drivers/{driver}/driver.go:99 +0x1f\n\
             main.main()\n\
             \t/src/main.go:5 +0x1\n",
            i % 4
        ));
        dump(&mut log, &mut n);
    }
    // Long messages, matched texts and frame lines, each several times:
    // the caches never keep them, and they come out as the reference
    // path finds them.
    let long_host = format!("{}.example.com", "h".repeat(600));
    let long_frame = format!(
        "\t/src/drivers/quark/{}/driver.go:99 +0x1f",
        "d".repeat(600)
    );
    for i in 0..6 {
        log.push_str(&format!(
            "ERRO[2025-03-14 09:28:{i:02}] failed get objs: Get \"https://{long_host}/x\": \
             dial tcp: lookup {long_host}: no such host {}\n\
             panic: runtime error: slice bounds out of range\n\n\
             goroutine 1 [running]:\n\
             {long_frame}\n",
            "z".repeat(2100)
        ));
        dump(&mut log, &mut n);
    }
    while log.len() < 3_600_000 {
        dump(&mut log, &mut n);
    }
    log.push_str(
        "ERRO[2025-03-14 09:29:00] failed to start: listen tcp :5244: bind: address already in use",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chunks.log");
    std::fs::write(&path, &log).unwrap();
    let (want, want_unknown) = reference(&path);
    assert!(want.len() > 5, "{want:?}");
    let drivers = want
        .keys()
        .filter(|(_, caps)| caps.contains("\"driver\", \"quark\""))
        .count();
    assert!(drivers > 0, "{want:?}");
    let long = want
        .keys()
        .filter(|(_, caps)| caps.contains(&long_host[..200]))
        .count();
    assert!(long > 0, "{want:?}");
    for how in HOW {
        let (got, got_unknown) = fast(&path, how);
        assert_eq!(got, want, "{how}");
        assert_eq!(got_unknown, want_unknown, "{how}");
    }
    // Any number of workers gives the same result.
    for threads in ["1", "3"] {
        let (got, got_unknown) = fast_with(&path, "file", &["--threads", threads]);
        assert_eq!(got, want, "--threads {threads}");
        assert_eq!(got_unknown, want_unknown, "--threads {threads}");
    }
}

/// Floods of blank and tiny lines (red-team H2, H32) take the scanner's
/// shortcut (see `parse::tiny`): a run of them is only counted, yet the
/// findings, unknown errors, lines and events are exactly the reference
/// path's, with chunks beginning inside the floods, after each kind of
/// event, through every way of reading and with 1 to 3 workers.
#[test]
fn floods_of_tiny_lines_equal_the_reference_path() {
    let heads = [
        "ERRO[2025-03-14 09:29:00] failed get objs: failed to list objs: TooManyRequests:Too Many Requests",
        "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use",
        "panic: runtime error: index out of range [0] with length 0",
        "ERRO[x] y",
        "a",
        "  indented",
    ];
    let floods = [
        "\n",
        "a\n",
        "\r\n",
        "ab\n\n",
        "x\r\n",
        "ok\n  more\n",
        "ERRO[x] y\n",
        "token is expired\n",
    ];
    let mut log = String::new();
    for (i, flood) in floods.iter().enumerate() {
        for (k, head) in heads.iter().enumerate() {
            log.push_str(head);
            log.push('\n');
            let n = 2_000 + 7_919 * ((i * heads.len() + k) % 11);
            log.push_str(&flood.repeat(n / flood.len()));
        }
    }
    // The last line without its newline, tiny.
    log.push_str(
        "ERRO[2025-03-14 09:29:00] failed to start: listen tcp :5244: bind: address already in use\nab",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("floods.log");
    std::fs::write(&path, &log).unwrap();
    let (want, want_unknown) = reference(&path);
    let want_counts = alist_doctor::testing::reference_counts(log.as_bytes());
    assert!(
        want.len() >= 4 && want_unknown > 1000,
        "{want:?} {want_unknown}"
    );
    let counts = |extra: &[&str]| {
        let out = crate::util::doctor()
            .args(["--format", "json", "--file"])
            .arg(&path)
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            v["summary"]["lines"].as_u64().unwrap(),
            v["summary"]["events"].as_u64().unwrap(),
        )
    };
    for how in HOW {
        let (got, got_unknown) = fast(&path, how);
        assert_eq!(got, want, "{how}");
        assert_eq!(got_unknown, want_unknown, "{how}");
    }
    for threads in ["1", "2", "3"] {
        let (got, got_unknown) = fast_with(&path, "file", &["--threads", threads]);
        assert_eq!(got, want, "--threads {threads}");
        assert_eq!(got_unknown, want_unknown, "--threads {threads}");
        assert_eq!(
            counts(&["--threads", threads]),
            want_counts,
            "--threads {threads}"
        );
    }
}
