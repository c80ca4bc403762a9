//! Embeds every `data/*.yaml` catalog file: the list is generated so that a new
//! area file can never be forgotten.
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("data");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("data/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut out =
        String::from("/// (file name, contents) of each embedded catalog file, sorted by name.\n");
    out.push_str("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("];\n");
    // For `--version`, without parsing YAML at start-up; a test checks it.
    let count: usize = files
        .iter()
        .map(|f| {
            fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with("- id:"))
                .count()
        })
        .sum();
    out.push_str(&format!("pub const ENTRY_COUNT: usize = {count};\n"));
    println!("cargo:rustc-env=ALIST_DOCTOR_ENTRIES={count}");
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("embedded.rs"),
        out,
    )
    .unwrap();
}
