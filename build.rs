//! Prepares the embedded catalog: every `data/*.yaml` is parsed here and
//! embedded as JSON, with each entry's line and each pattern's prefilter
//! literals. Start-up then parses compact JSON and no regex, and a
//! malformed catalog file fails the build with its location.
use std::{env, fs, path::Path};

#[path = "src/literals.rs"]
#[allow(dead_code)]
mod literals;

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("data");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/literals.rs");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("data/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut out = String::from(
        "/// (file name, YAML as written, JSON of [{entry, line, literals}]) of each\n\
         /// embedded catalog file, sorted by name.\n\
         pub static EMBEDDED: &[(&str, &str, &str)] = &[\n",
    );
    let mut count = 0;
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(f).unwrap();
        let entries: Vec<serde_json::Value> = if text.trim().is_empty() {
            Vec::new()
        } else {
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("data/{name}: {e}"))
        };
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("- ") || *l == "-")
            .map(|(i, _)| i + 1)
            .collect();
        let prepared: Vec<serde_json::Value> = entries
            .into_iter()
            .enumerate()
            .map(|(i, entry)| {
                let literals: Vec<Option<Vec<Vec<String>>>> = entry
                    .get("patterns")
                    .and_then(|p| p.as_array())
                    .map(|ps| ps.iter().map(|p| p.as_str().and_then(literals::required_literals)).collect())
                    .unwrap_or_default();
                serde_json::json!({"entry": entry, "line": lines.get(i).copied().unwrap_or(1), "literals": literals})
            })
            .collect();
        count += prepared.len();
        let json_path = Path::new(&out_dir).join(format!("{name}.json"));
        fs::write(&json_path, serde_json::to_string(&prepared).unwrap()).unwrap();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?}), include_str!({:?})),\n",
            f.display().to_string(),
            json_path.display().to_string()
        ));
    }
    out.push_str("];\n");
    out.push_str(&format!("pub const ENTRY_COUNT: usize = {count};\n"));
    println!("cargo:rustc-env=ALIST_DOCTOR_ENTRIES={count}");
    fs::write(Path::new(&out_dir).join("embedded.rs"), out).unwrap();
}
