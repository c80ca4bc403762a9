//! Timestamps: every time read from input or given on the command line is
//! checked here and turned into one sortable form, `YYYY-MM-DD HH:MM:SS`,
//! or dropped. Nothing else of a log's time field reaches the rest of the
//! program, so a hostile field can neither panic a slice nor carry bytes
//! into the output.
#![warn(clippy::string_slice)]

/// Parses `2024-01-02 15:04:05`, `2024-01-02T15:04:05[.123][Z|+08:00]`,
/// `2024/01/02 15:04:05` or `2024-01-02` into the sortable form. The offset
/// is dropped: log timestamps are the server's local time.
pub(crate) fn sortable(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date_sep = b.get(4).copied();
    let date_ok = digits(0..4)
        && matches!(date_sep, Some(b'-' | b'/'))
        && digits(5..7)
        && b.get(7).copied() == date_sep
        && digits(8..10);
    if !date_ok {
        return None;
    }
    // Bytes 0..10 are ASCII digits and separators, so these are `str`s.
    let date = std::str::from_utf8(&b[..10]).ok()?.replace('/', "-");
    if b.len() == 10 {
        return Some(format!("{date} 00:00:00"));
    }
    let time_ok = matches!(b.get(10), Some(b' ' | b'T'))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !time_ok {
        return None;
    }
    let rest = &b[19..];
    let frac_end = rest
        .iter()
        .position(|c| !(c.is_ascii_digit() || matches!(c, b'.' | b',')))
        .unwrap_or(rest.len());
    let zone_ok = rest[frac_end..]
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'Z' | b'+' | b'-' | b':'));
    let clock = std::str::from_utf8(&b[11..19]).ok()?;
    zone_ok.then(|| format!("{date} {clock}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for (given, want) in [
            ("2024-01-02 15:04:05", Some("2024-01-02 15:04:05")),
            ("2024-01-02T15:04:05.123+08:00", Some("2024-01-02 15:04:05")),
            (
                "2024-01-02T15:04:05.123456789Z",
                Some("2024-01-02 15:04:05"),
            ),
            ("2024-01-02T15:04:05Z", Some("2024-01-02 15:04:05")),
            ("2024/01/02 15:04:05", Some("2024-01-02 15:04:05")),
            ("2024-01-02", Some("2024-01-02 00:00:00")),
            ("yesterday", None),
            ("2024-01-02 15:04", None),
            ("2024-01-02 15:04:0é", None),
            ("2025-03-14T09:26:5é1", None),
            ("2025-03-14T\u{1b}]0;X\u{7}\u{1b}c", None),
            ("2025-03-14 09:26:51\u{1b}]52;c;aGk=\u{7}", None),
            ("0005", None),
        ] {
            assert_eq!(sortable(given).as_deref(), want, "{given:?}");
        }
    }

    #[test]
    fn any_text_is_checked_not_sliced() {
        // Multi-byte characters at every byte of a timestamp.
        let base = "2025-03-14T09:26:51.123+08:00";
        for at in 0..=base.len() {
            for c in ['é', '中', '😀', '\u{202e}', '\u{1b}'] {
                let mut s = base.as_bytes()[..at].to_vec();
                let mut buf = [0u8; 4];
                s.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                s.extend_from_slice(&base.as_bytes()[at..]);
                let s = String::from_utf8_lossy(&s);
                if let Some(t) = sortable(&s) {
                    assert!(
                        t.bytes().all(|b| b.is_ascii_digit() || b" -:".contains(&b)),
                        "{t:?}"
                    );
                }
            }
        }
    }
}
