//! Properties that must hold for any input: the envelope parser, the
//! matcher and redaction never panic; a message gets the same diagnosis in
//! every envelope; redacted output never contains the secret and redacting
//! twice changes nothing.

use alist_doctor::testing::{self, event_texts, parse_line, redact};
use once_cell::sync::Lazy;
use proptest::prelude::*;

/// Single-line catalog examples without an envelope, with their entry id.
static MESSAGES: Lazy<Vec<(String, String)>> = Lazy::new(|| {
    testing::examples()
        .into_iter()
        .filter(|(_, benign, _)| !benign)
        .map(|(id, _, x)| (id.to_string(), x.to_string()))
        .filter(|(_, x)| {
            !x.contains('\n')
                && !x.contains('\u{1b}')
                && !x.contains('"')
                && !x.starts_with(|c: char| !c.is_ascii_lowercase())
                && parse_line(x).plain
        })
        .collect()
});

/// The first finding of `log` read as a log (not pasted).
fn diagnose_log(log: &str) -> Option<String> {
    testing::first_id(log, false)
}

fn envelope(kind: u8, msg: &str) -> String {
    let go_quoted = serde_json::to_string(msg).unwrap();
    match kind % 9 {
        0 => format!("ERRO[2024-01-02 15:04:05] {msg}"),
        1 => format!("\u{1b}[31mERRO\u{1b}[0m[2024-01-02 15:04:05] {msg:<44} "),
        2 => format!("[31mERRO[0m[2024-01-02 15:04:05] {msg}"),
        3 => format!("time=\"2024-01-02 15:04:05\" level=error msg={go_quoted}"),
        4 => format!(
            "{{\"level\":\"error\",\"msg\":{go_quoted},\"time\":\"2024-01-02T15:04:05+08:00\"}}"
        ),
        5 => format!("alist-1  | ERRO[2024-01-02 15:04:05] {msg}"),
        6 => format!("Jan 02 15:04:05 nas alist[2993]: ERRO[2024-01-02 15:04:05] {msg}"),
        7 => format!("2024-01-02T07:04:05.123456789Z ERRO[2024-01-02 15:04:05] {msg}"),
        _ => format!(
            "Tue Jan  2 15:04:05 2024 daemon.err alist[2806]: ERRO[2024-01-02 15:04:05] {msg}"
        ),
    }
}

/// Every place a log line carries its time, with `ts` put there.
fn timed_lines(ts: &str) -> Vec<String> {
    let q = serde_json::to_string(ts).unwrap();
    let msg = "failed to start: listen tcp 0.0.0.0:5244: bind: address already in use";
    vec![
        format!("ERRO[{ts}] {msg}"),
        format!("\u{1b}[31mERRO\u{1b}[0m[{ts}] {msg}"),
        format!("time={q} level=error msg=\"{msg}\""),
        format!("{{\"level\":\"error\",\"msg\":\"{msg}\",\"time\":{q}}}"),
        format!("{{\"log\":\"ERRO {msg}\\n\",\"stream\":\"stderr\",\"time\":{q}}}"),
        format!("{ts} ERRO {msg}"),
        format!("[GIN] {ts} | 200 |  1ms |  ::1 | GET \"/\""),
        format!("{ts} [Recovery] panic recovered: boom"),
        format!("{ts} {msg}"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Red-team H10/H12: arbitrary Unicode in any time field never panics,
    /// and what is kept of it is only digits and separators.
    #[test]
    fn any_time_field_is_checked(
        prefix in "[0-9 T:/-]{0,20}",
        junk in "\\PC{0,4}|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202e}]{0,3}",
        suffix in ".{0,12}",
    ) {
        let ts = format!("{prefix}{junk}{suffix}");
        for line in timed_lines(&ts) {
            let l = parse_line(&line);
            if let Some(t) = l.timestamp {
                prop_assert!(t.bytes().all(|b| b.is_ascii_digit() || b" -:".contains(&b)), "{line:?} -> {t:?}");
            }
            let _ = diagnose_log(&line);
        }
    }

    #[test]
    fn envelope_parser_and_events_never_panic(lines in proptest::collection::vec(".{0,200}", 0..20)) {
        let _ = event_texts(&lines);
    }

    #[test]
    fn matcher_never_panics(text in "\\PC{0,300}") {
        let _ = diagnose_log(&text);
        let _ = testing::first_id(&text, true);
    }

    #[test]
    fn same_finding_in_every_envelope(pick in any::<prop::sample::Index>(), kind in 0u8..9, tail in "[a-z ]{0,12}") {
        let (id, msg) = pick.get(&MESSAGES);
        let bare = diagnose_log(msg);
        prop_assume!(bare.as_deref() == Some(id.as_str()));
        let wrapped = envelope(kind, msg);
        let log = format!("INFO[2024-01-02 15:04:04] {tail}\n{wrapped}\n");
        prop_assert_eq!(diagnose_log(&log), bare, "{}", wrapped);
    }

    #[test]
    fn redaction_hides_secrets_and_is_idempotent(
        secret in "[A-Za-z0-9]{12,40}",
        shape in 0u8..8,
        noise in "[a-z :/]{0,20}",
    ) {
        let text = match shape {
            0 => format!("{noise} refresh_token={secret}&x=1"),
            1 => format!("{noise} {{\"access_token\":\"{secret}\",\"a\":1}}"),
            2 => format!("{noise} Authorization: Bearer {secret}"),
            3 => format!("{noise} Cookie: BDUSS={secret}; x=y"),
            4 => format!("{noise} GET https://cdn.example.com/a/b.mkv?sign={secret}&e=1 {noise}"),
            5 => format!("{noise} https://user:{secret}@dav.example.com/dav"),
            6 => format!("{noise} password={secret}"),
            _ => format!("{noise} {{\\\"client_secret\\\":\\\"{secret}\\\"}}"),
        };
        let once = redact(&text);
        prop_assert!(!once.contains(&secret), "{} -> {}", text, once);
        prop_assert_eq!(redact(&once), once.clone());
    }

    #[test]
    fn redaction_never_panics(text in "\\PC{0,300}") {
        let once = redact(&text);
        prop_assert_eq!(redact(&once), once.clone());
    }
}

#[test]
fn there_are_messages_to_wrap() {
    assert!(MESSAGES.len() > 200, "{}", MESSAGES.len());
}
