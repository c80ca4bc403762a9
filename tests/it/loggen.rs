//! A seeded generator of realistic AList logs for the tests, so that
//! `cargo test` needs nothing outside the repository. (The shared Python
//! generator stays the outside reference for the benchmarks.)
//!
//! A log is mostly gin access lines and routine INFO lines, in one of four
//! renderings of logrus (`color`, `plain`, `text` = key=value, `json`), with
//! error events planted at a given rate: single-line errors taken from the
//! catalog's own examples, `%+v` dumps with stack frames, Go panics and gin
//! recovery blocks. The truth (first line of each planted event → the id
//! the one-thread reference path gives it) comes with the log.

use std::collections::BTreeMap;

use alist_doctor::testing;
use once_cell::sync::Lazy;

/// How logrus lines are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Color,
    Plain,
    Text,
    Json,
}

pub const FORMATS: [Format; 4] = [Format::Color, Format::Plain, Format::Text, Format::Json];

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Color => "color",
            Format::Plain => "plain",
            Format::Text => "text",
            Format::Json => "json",
        }
    }
}

pub struct Log {
    pub text: Vec<u8>,
    /// Line (1-based) → id, for every planted event.
    pub truth: BTreeMap<u64, String>,
}

/// xorshift64: deterministic, so a failure reproduces from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, rate: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= rate
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Catalog examples that are one plain message, with the id a log gives
/// them on their own: the single-line errors a log is seeded with.
static MESSAGES: Lazy<Vec<(String, String)>> = Lazy::new(|| {
    testing::examples()
        .into_iter()
        .filter(|(_, benign, x)| {
            !benign
                && !x.contains(['\n', '\u{1b}', '\r', '\t'])
                && x.is_ascii()
                && x.len() < 400
                && testing::parse_line(x).plain
        })
        .filter_map(|(id, _, x)| {
            let line = format!("ERRO[2024-05-01 12:00:00] {x}");
            (testing::first_id(&line, false).as_deref() == Some(id)).then(|| (id.to_string(), x))
        })
        .collect()
});

const ROUTINE: &[&str] = &[
    "load storage: [/ali], driver: [AliyundriveOpen]",
    "success load storage: [/115], driver: [115 Cloud]",
    "init tool aria2 success: aria2 version 1.37.0",
    "start HTTP server @ 0.0.0.0:5244",
    "refresh token for storage [/ali] succeeded",
    "list /Movies from cache",
];

const PATHS: &[&str] = &[
    "/api/fs/list",
    "/api/fs/get",
    "/api/me",
    "/d/ali/Movies/a.mkv",
    "/dav/115/Music",
    "/api/public/settings",
];

fn stamp(n: u64) -> String {
    let s = 12 * 3600 + (n / 7) % 40_000;
    format!(
        "2024-05-01 {:02}:{:02}:{:02}",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

fn logrus(f: Format, level: &str, ts: &str, msg: &str) -> String {
    let short = &level[..4].to_ascii_uppercase();
    let colour = match level {
        "error" => 31,
        "warning" => 33,
        _ => 36,
    };
    match f {
        Format::Color => format!("\u{1b}[{colour}m{short}\u{1b}[0m[{ts}] {msg:<44} "),
        Format::Plain => format!("{short}[{ts}] {msg:<44} "),
        Format::Text => format!(
            "time=\"{ts}\" level={level} msg={}",
            serde_json::to_string(msg).unwrap()
        ),
        Format::Json => format!(
            "{{\"level\":\"{level}\",\"msg\":{},\"time\":\"{}+08:00\"}}",
            serde_json::to_string(msg).unwrap(),
            ts.replace(' ', "T")
        ),
    }
}

fn gin(rng: &mut Rng, ts: &str) -> String {
    let code = *rng.pick(&[200, 200, 200, 206, 301, 401, 404]);
    format!(
        "[GIN] {} | {code:>3} | {:>13} | {:>15} | {:<7} \"{}\"",
        ts.replace('-', "/").replacen(' ', " - ", 1),
        format!("{}.{:03}ms", rng.below(900), rng.below(1000)),
        format!("192.168.1.{}", 2 + rng.below(200)),
        rng.pick(&["GET", "POST", "PROPFIND", "PUT"]),
        rng.pick(PATHS)
    )
}

/// A multi-line event: its lines.
fn block(rng: &mut Rng, f: Format, ts: &str) -> Vec<String> {
    match rng.below(3) {
        // `log.Errorf("failed list %s: %+v", …)`: cause first, wrappers and
        // frames after.
        0 => {
            let (_, cause) = rng.pick(&MESSAGES);
            let mut lines = vec![logrus(f, "error", ts, &format!("failed list /ali/Movies: {cause}"))];
            if f == Format::Color || f == Format::Plain {
                lines.push("failed to list objs".to_string());
                lines.push("github.com/alist-org/alist/v3/internal/op.List".to_string());
                lines.push("\t/source/internal/op/fs.go:152".to_string());
                lines.push("github.com/alist-org/alist/v3/internal/fs.list".to_string());
                lines.push("\t/source/internal/fs/list.go:24".to_string());
            }
            lines
        }
        1 => vec![
            "panic: runtime error: invalid memory address or nil pointer dereference".into(),
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x1a2b3c4]".into(),
            String::new(),
            "goroutine 412 [running]:".into(),
            "github.com/alist-org/alist/v3/drivers/aliyundrive_open.(*AliyundriveOpen).List(0xc000a1e000, {0x2f1c8e0, 0xc0004b2a80}, {0x2f2a6d8, 0xc000118d20}, {0x0, 0x0, 0x0})".into(),
            "\t/source/drivers/aliyundrive_open/driver.go:77 +0x1a5".into(),
            "created by net/http.(*Server).Serve in goroutine 1".into(),
            "\t/usr/local/go/src/net/http/server.go:3285 +0x4b4".into(),
        ],
        _ => vec![
            format!(
                "{} [Recovery] {} panic recovered:",
                ts.replace('-', "/"),
                ts.replace('-', "/")
            ),
            "runtime error: index out of range [0] with length 0".into(),
            "/source/drivers/115/driver.go:102 (0x1c2d3e4)".into(),
            "/usr/local/go/src/runtime/panic.go:115 (0x43b1e5)".into(),
        ],
    }
}

/// A log of about `size` bytes (cut at a line end) with errors planted in
/// `rate` of the entries.
pub fn generate(size: usize, seed: u64, f: Format, rate: f64) -> Log {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = String::with_capacity(size + 4096);
    let mut truth = BTreeMap::new();
    let mut line = 0u64;
    loop {
        let ts = stamp(line);
        let planted = rng.chance(rate);
        let lines: Vec<String> = if planted {
            if rng.below(4) == 0 {
                block(&mut rng, f, &ts)
            } else {
                let (_, msg) = rng.pick(&MESSAGES);
                vec![logrus(f, "error", &ts, msg)]
            }
        } else if rng.below(3) == 0 {
            vec![logrus(f, "info", &ts, ROUTINE[rng.below(ROUTINE.len())])]
        } else {
            vec![gin(&mut rng, &ts)]
        };
        // Whole events only: the log ends before one that does not fit.
        let len: usize = lines.iter().map(|l| l.len() + 1).sum();
        if out.len() + len > size {
            break;
        }
        if planted {
            // The truth is what the one-thread reference path says of the
            // event on its own (for a single line, its catalog entry).
            if let Some(id) = testing::first_id(&lines.join("\n"), false) {
                truth.insert(line + 1, id);
            }
        }
        for l in lines {
            out.push_str(&l);
            out.push('\n');
            line += 1;
        }
    }
    Log {
        text: out.into_bytes(),
        truth,
    }
}

#[test]
fn generator_is_deterministic_and_seeded() {
    let a = generate(200_000, 7, Format::Color, 0.01);
    let b = generate(200_000, 7, Format::Color, 0.01);
    let c = generate(200_000, 8, Format::Color, 0.01);
    assert_eq!(a.text, b.text);
    assert_ne!(a.text, c.text);
    assert!(a.text.len() <= 200_000 && a.text.len() > 190_000);
    assert!(a.truth.len() > 5, "{}", a.truth.len());
    assert!(MESSAGES.len() > 300, "{}", MESSAGES.len());
}
