//! Helpers shared by the integration tests: run the real binary.

use assert_cmd::Command;
use serde_json::Value;

/// The binary with a clean, predictable environment.
pub fn doctor() -> Command {
    Command::from_std(doctor_std())
}

/// `doctor()` as a standard command, for what assert_cmd cannot do (give
/// standard input a file rather than a pipe).
pub fn doctor_std() -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("alist-doctor"));
    for k in [
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "CLICOLOR",
        "LC_ALL",
        "LC_MESSAGES",
        "LANG",
        "ALIST_DOCTOR_CATALOG",
    ] {
        c.env_remove(k);
    }
    // No user catalog directory can leak into the tests.
    c.env("XDG_CONFIG_HOME", "/nonexistent-alist-doctor-test");
    c.env("HOME", "/nonexistent-alist-doctor-test");
    c
}

/// Runs with `--format json` and the given args; returns (exit code, JSON).
pub fn json(args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut c = doctor();
    c.arg("--format").arg("json").args(args);
    if let Some(s) = stdin {
        c.write_stdin(s.to_string());
    }
    let out = c.output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Ids of the findings, in report order.
pub fn ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// How long a test waits for evidence (a handler installed, a line
/// printed, an exit) before it fails: far above what any step takes, so
/// only a real hang reaches it.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Sends SIGINT (Ctrl-C) to `child` once it can take it: once its Ctrl-C
/// handler is installed, which /proc/<pid>/status shows as SIGINT's bit
/// (0x2) in the `SigCgt` mask. A SIGINT sent before that would kill it
/// outright (no report, no exit 130). Panics if the handler is not there
/// within `DEADLINE`, or if the process ended first.
#[cfg(target_os = "linux")]
pub fn interrupt_when_ready(child: &std::process::Child) {
    use std::time::Instant;
    let pid = child.id();
    let status = format!("/proc/{pid}/status");
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&status).unwrap_or_default();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_default()
                .to_string()
        };
        let state = field("State:");
        assert!(
            !state.is_empty() && !state.starts_with('Z') && !state.starts_with('X'),
            "pid {pid} ended before its Ctrl-C handler could be used (state {state:?})"
        );
        let caught = u64::from_str_radix(&field("SigCgt:"), 16).unwrap_or(0);
        if caught & (1 << (libc::SIGINT - 1)) != 0 {
            break;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "pid {pid} installed no Ctrl-C handler within {DEADLINE:?} (SigCgt {:?})",
            field("SigCgt:")
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let pid = libc::pid_t::try_from(pid).expect("a pid fits pid_t");
    // SAFETY: kill(2) with our own child's pid and a valid signal number.
    let sent = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(
        sent,
        0,
        "kill -INT {pid}: {}",
        std::io::Error::last_os_error()
    );
}

/// Waits for `child` to end, at most `DEADLINE`; kills it and panics
/// (saying `what`) if it has not ended by then.
pub fn wait_at_most(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Waits, at most `DEADLINE`, until the reader of the pipe behind
/// `stdin` has taken every byte written into it (FIONREAD on the pipe
/// says 0): what was written has reached the binary.
#[cfg(target_os = "linux")]
pub fn wait_until_read(stdin: &impl std::os::fd::AsRawFd) {
    let start = std::time::Instant::now();
    loop {
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD on a pipe descriptor we own, into a c_int.
        let r = unsafe { libc::ioctl(stdin.as_raw_fd(), libc::FIONREAD, &mut unread) };
        assert_eq!(r, 0, "FIONREAD: {}", std::io::Error::last_os_error());
        if unread == 0 {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{unread} bytes still unread in the pipe after {DEADLINE:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// A running binary whose standard output and standard error are read
/// line by line on threads, so that a test can wait for what it prints
/// instead of guessing how long it takes.
pub struct Running {
    pub child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    errors: std::sync::mpsc::Receiver<String>,
    /// Every line of standard output received so far.
    pub seen: Vec<String>,
    /// Every line of standard error received so far.
    pub seen_err: Vec<String>,
}

/// Sends each line `r` gives (lossy UTF-8, without its LF) into a channel.
fn lines_of(r: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = std::io::BufReader::new(r);
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line);
            let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
            line.clear();
            if tx.send(text).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits, at most `DEADLINE`, for a line from `rx` for which `pred`
/// holds, keeping every line received in `seen`.
fn wait_line(
    rx: &std::sync::mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    what: &str,
    pred: impl Fn(&str) -> bool,
) -> String {
    let start = std::time::Instant::now();
    loop {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(line) => {
                seen.push(line.clone());
                if pred(&line) {
                    return line;
                }
            }
            Err(e) => panic!(
                "waited {DEADLINE:?} for {what} ({e}); printed so far:\n{}",
                seen.join("\n")
            ),
        }
    }
}

impl Running {
    /// Spawns `cmd` with standard output and standard error piped.
    pub fn spawn(mut cmd: std::process::Command) -> Running {
        use std::process::Stdio;
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawns");
        let lines = lines_of(child.stdout.take().unwrap());
        let errors = lines_of(child.stderr.take().unwrap());
        Running {
            child,
            lines,
            errors,
            seen: Vec::new(),
            seen_err: Vec::new(),
        }
    }

    /// Waits, at most `DEADLINE`, for a line of standard output for which
    /// `pred` holds (among those not yet waited for); returns it. Panics,
    /// saying `what` and showing what was printed, when none comes.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait_line(&self.lines, &mut self.seen, what, pred)
    }

    /// `wait_for`, on standard error.
    pub fn wait_for_stderr(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        wait_line(&self.errors, &mut self.seen_err, what, pred)
    }

    /// Waits for an ndjson finding with this id; returns it.
    pub fn wait_for_finding(&mut self, id: &str) -> Value {
        let line = self.wait_for(&format!("an ndjson finding {id}"), |l| {
            serde_json::from_str::<Value>(l).is_ok_and(|v| v["type"] == "finding" && v["id"] == id)
        });
        serde_json::from_str(&line).unwrap()
    }

    /// Presses Ctrl-C once the binary can take it (see
    /// `interrupt_when_ready`), then waits for it to end.
    #[cfg(target_os = "linux")]
    pub fn interrupt(self, what: &str) -> Finished {
        interrupt_when_ready(&self.child);
        self.finish(what)
    }

    /// Waits, at most `DEADLINE`, for the binary to end; returns its exit
    /// code, every line it printed and its standard error.
    pub fn finish(mut self, what: &str) -> Finished {
        let status = wait_at_most(&mut self.child, what);
        // The reader threads end with the pipes: every line is in.
        while let Ok(line) = self.lines.recv_timeout(DEADLINE) {
            self.seen.push(line);
        }
        while let Ok(line) = self.errors.recv_timeout(DEADLINE) {
            self.seen_err.push(line);
        }
        let mut stderr = self.seen_err.join("\n");
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        Finished {
            code: status.code(),
            stdout: std::mem::take(&mut self.seen),
            stderr,
        }
    }
}

impl Drop for Running {
    /// A test that failed half-way leaves no process behind.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What a `Running` binary left when it ended.
#[derive(Debug)]
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: Vec<String>,
    pub stderr: String,
}

impl Finished {
    /// The ndjson objects printed, each line parsed.
    pub fn ndjson(&self) -> Vec<Value> {
        self.stdout
            .iter()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not an ndjson line ({e}): {l}"))
            })
            .collect()
    }

    /// The single JSON document printed (`--format json`).
    pub fn json(&self) -> Value {
        let text = self.stdout.join("\n");
        serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{text}\nstderr:\n{}",
                self.stderr
            )
        })
    }

    /// Panics if standard error shows a panic.
    pub fn no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{}",
            self.stderr
        );
    }
}

/// The findings of a `--format json --no-redact` report as the
/// equivalence tests compare them: (id, captures) -> (count, first line,
/// last line).
pub fn summary_of(v: &Value) -> alist_doctor::testing::Summary {
    let mut s = alist_doctor::testing::Summary::new();
    for f in v["findings"].as_array().unwrap() {
        let caps: Vec<(String, String)> = f["captures"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        s.insert(
            (f["id"].as_str().unwrap().to_string(), format!("{caps:?}")),
            (
                f["count"].as_u64().unwrap(),
                f["first_line"].as_u64().unwrap(),
                f["last_line"].as_u64().unwrap(),
            ),
        );
    }
    s
}

/// The first ten keys on which `want` and `got` differ, each described by
/// `say(key, want's value, got's value)`: for an assertion's message.
pub fn differences<K: Ord + std::fmt::Debug, V: PartialEq>(
    want: &std::collections::BTreeMap<K, V>,
    got: &std::collections::BTreeMap<K, V>,
    say: impl Fn(&K, Option<&V>, Option<&V>) -> String,
) -> Vec<String> {
    want.keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| want.get(k) != got.get(k))
        .take(10)
        .map(|k| say(k, want.get(k), got.get(k)))
        .collect()
}

/// `--follow PATH` with `--format ndjson`: the ndjson object of each
/// occurrence is the evidence a test waits for after each write.
#[cfg(target_os = "linux")]
pub fn follow(path: &std::path::Path) -> Running {
    let mut c = doctor_std();
    c.args(["--format", "ndjson", "--follow"]).arg(path);
    Running::spawn(c)
}

/// Appends `s` to the file at `p`, creating it if need be.
pub fn append(p: &std::path::Path, s: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(p)
        .unwrap();
    f.write_all(s.as_bytes()).unwrap();
}
