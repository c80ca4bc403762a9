//! The CLI cases in `tests/cmd/*.toml`, run by trycmd: exit codes, every
//! output format, colour and locale switches, each one command with its
//! expected output (see tests/cmd/README.md). They match ids and the shape
//! of the output, not catalog prose, so catalog edits do not break them.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .default_bin_name("alist-doctor")
        .case("tests/cmd/*.toml");
}
