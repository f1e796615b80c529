//! The shape of the code, checked: no circle of imports between the core's modules (each
//! capability can change alone), and the boundaries of ADR 11 (the protocol crate and IT's tool
//! never link the encrypted store).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each top-level module of `core/src` and the other top-level modules its code (not its
/// tests) names as `crate::…`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_owned();
        if top == "lib" {
            continue; // the crate root re-exports everything
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && name != top {
                deps.insert(name);
            }
        }
    }
    graph
}

/// A circle through `start`, if any (depth-first).
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_module_of_the_core_imports_itself_through_others() {
    let graph = module_graph();
    assert!(graph.contains_key("policy") && graph.contains_key("checklist") && graph.contains_key("platform"));
    for module in graph.keys() {
        assert_eq!(circle(&graph, module), None, "an import circle");
    }
    // The test can fail: a circle made by hand is found.
    let mut with_circle = graph.clone();
    with_circle.get_mut("policy").unwrap().insert("checklist".into());
    assert!(circle(&with_circle, "policy").is_some());
}

fn manifest(package: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::fs::read_to_string(root.join(package).join("Cargo.toml")).unwrap()
}

#[test]
fn the_protocol_and_its_tool_never_link_the_store() {
    let dependencies = |package: &str| {
        let text = manifest(package);
        text.split("[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap_or("").to_owned()
    };
    for package in ["protocol", "admin", "fuzz"] {
        let deps = dependencies(package);
        for forbidden in ["televisit-core", "openssl", "sqlcipher", "televisit-ffi"] {
            assert!(!deps.contains(forbidden), "{package} depends on {forbidden}");
        }
    }
    for package in ["protocol", "fuzz"] {
        assert!(!dependencies(package).contains("rusqlite"), "{package} depends on rusqlite");
    }
    // IT's ledger is plain SQLite: rusqlite with its bundled SQLite, never the workspace's
    // SQLCipher build.
    let admin = dependencies("admin");
    let line = admin.lines().find(|l| l.starts_with("rusqlite")).expect("the ledger's rusqlite");
    assert!(line.contains("\"bundled\"") && !line.contains("workspace"), "{line}");
}
