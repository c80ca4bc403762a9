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

/// A `--since`/`--until` bound in the sortable form. Accepts what
/// `sortable` does plus `YYYY-MM-DD HH:MM`; a time with a UTC offset (`Z`,
/// `+08:00`) is converted to the local time of this machine (`TZ` is
/// honoured), since log timestamps without a zone are local time. A bare
/// date is the start of that day, or its end when `end_of_day`.
pub(crate) fn bound(s: &str, end_of_day: bool) -> Result<String, String> {
    let t = s.trim();
    let err = || {
        format!(
            "'{s}' is not a time: use '2024-01-02 15:04:05', '2024-01-02 15:04', \
             '2024-01-02T15:04:05+08:00' or '2024-01-02'"
        )
    };
    let b = t.as_bytes();
    if b.len() == 10 {
        let day = sortable(t).ok_or_else(err)?;
        return Ok(if end_of_day {
            day.replace(" 00:00:00", " 23:59:59")
        } else {
            day
        });
    }
    // `YYYY-MM-DD HH:MM`: seconds added.
    let with_seconds;
    let t = if b.len() == 16 && b.get(13) == Some(&b':') {
        with_seconds = format!("{t}:00");
        with_seconds.as_str()
    } else {
        t
    };
    let local = sortable(t).ok_or_else(err)?;
    match zone_offset(t) {
        Some(offset) => Ok(to_local(&local, offset).unwrap_or(local)),
        None => Ok(local),
    }
}

/// The UTC offset in seconds a checked timestamp ends with (`Z`, `+08:00`,
/// `-0330`), if any.
fn zone_offset(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let rest = b.get(19..)?;
    let rest = &rest[rest
        .iter()
        .position(|c| !(c.is_ascii_digit() || matches!(c, b'.' | b',')))
        .unwrap_or(rest.len())..];
    match rest.first()? {
        b'Z' | b'z' => Some(0),
        sign @ (b'+' | b'-') => {
            let digits: Vec<i64> = rest[1..]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .map(|c| i64::from(c - b'0'))
                .collect();
            if digits.len() != 4 {
                return None;
            }
            let secs = (digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60;
            Some(if *sign == b'-' { -secs } else { secs })
        }
        _ => None,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `sortable` wall time at `offset` seconds east of UTC, as this machine's
/// local time.
fn to_local(sortable: &str, offset: i64) -> Option<String> {
    let n = |r: std::ops::Range<usize>| sortable.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    let secs = days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)? - offset;
    local_time(secs)
}

#[cfg(unix)]
fn local_time(epoch: i64) -> Option<String> {
    unsafe extern "C" {
        // POSIX; not in the libc crate's bindings.
        fn tzset();
    }
    // time_t is 64 bits on every target that matters; 32-bit ones clip.
    #[allow(clippy::useless_conversion)]
    let t: libc::time_t = epoch.try_into().ok()?;
    // SAFETY: tzset reads TZ; localtime_r writes into the tm we own.
    let tm = unsafe {
        tzset();
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        tm
    };
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    ))
}

/// Elsewhere the offset is dropped and the clock time kept as given.
#[cfg(not(unix))]
fn local_time(_epoch: i64) -> Option<String> {
    None
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
    fn bounds() {
        assert_eq!(bound("2024-01-02", false).unwrap(), "2024-01-02 00:00:00");
        assert_eq!(bound("2024-01-02", true).unwrap(), "2024-01-02 23:59:59");
        assert_eq!(
            bound("2024-01-02 15:04", false).unwrap(),
            "2024-01-02 15:04:00"
        );
        assert_eq!(
            bound("2024-01-02 15:04:05", true).unwrap(),
            "2024-01-02 15:04:05"
        );
        assert!(bound("yesterday", false).is_err());
        assert_eq!(zone_offset("2024-01-02T15:04:05+08:00"), Some(8 * 3600));
        assert_eq!(zone_offset("2024-01-02T15:04:05.5Z"), Some(0));
        assert_eq!(
            zone_offset("2024-01-02T15:04:05-0330"),
            Some(-(3 * 3600 + 1800))
        );
        assert_eq!(zone_offset("2024-01-02 15:04:05"), None);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
    }

    /// With TZ=UTC, an offset is taken off; the process's TZ is set for
    /// this test only through the child the integration tests start, so
    /// here only the arithmetic is checked against UTC.
    #[cfg(unix)]
    #[test]
    fn offsets_convert_through_epoch() {
        let days = days_from_civil(2024, 1, 2);
        let secs = days * 86_400 + 15 * 3600 + 4 * 60 + 5 - 8 * 3600;
        assert_eq!(secs % 86_400, 7 * 3600 + 4 * 60 + 5);
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
