//! The README's sample output is what the binary prints.

use crate::util::doctor;

/// The block under "What the output looks like": its `$ alist-doctor '…'`
/// line is run, and every line shown is the binary's line, or its start
/// when cut with ` ...`.
#[test]
fn the_sample_output_is_current() {
    let readme = include_str!("../../README.md");
    let block = readme
        .split("## What the output looks like\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("README has the sample block");
    let mut shown = block.lines();
    let command = shown.next().expect("a command line");
    let arg = command
        .strip_prefix("$ alist-doctor '")
        .and_then(|a| a.strip_suffix('\''))
        .expect("the command is `$ alist-doctor '<message>'`");
    let out = doctor().args(["--color", "never", arg]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let printed: Vec<&str> = text.trim_end().lines().collect();
    let shown: Vec<&str> = shown.collect();
    assert_eq!(shown.len(), printed.len(), "{text}");
    for (s, p) in shown.iter().zip(&printed) {
        match s.strip_suffix(" ...") {
            Some(start) => assert!(
                p.starts_with(start) && p.len() > start.len(),
                "{s:?} / {p:?}"
            ),
            None => assert_eq!(s, p),
        }
    }
}
