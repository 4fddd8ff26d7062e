//! The house reads one way. The core's top-level modules are in the layers the README's "How it
//! is built" lists (between `<!-- layers -->` and `<!-- /layers -->`): a module may use only
//! modules in rows below its own. And among the modules of one folder (the PDF writer, the
//! gateway's API, the core's others) no import cycle. Read from the code's own `crate::…` and
//! `super::…` paths, tests left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The module's source without its tests: `#[cfg(test)]` and what follows.
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(path).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// The names after each of `prefixes` (`crate::`, `super::`): `crate::fill::…` names `fill`,
/// `crate::{fill, flow}` both.
fn named(text: &str, prefixes: &[String]) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for prefix in prefixes {
        for (i, _) in text.match_indices(prefix.as_str()) {
            let rest = &text[i + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for part in group.split(',') {
                    out.insert(ident(part.trim()));
                }
            } else {
                out.insert(ident(rest));
            }
        }
    }
    out
}

/// The modules of folder `dir` (files and folders, not `mod.rs`/`lib.rs`/`main.rs` nor those
/// in `skip`) and which of the others each uses.
fn graph(dir: &Path, prefixes: &[String], skip: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if ["mod", "lib", "main"].contains(&name.as_str()) || skip.contains(&name.as_str()) {
            continue;
        }
        if p.is_dir() || p.extension().is_some_and(|x| x == "rs") {
            modules.insert(name, p);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, path)| {
            let mut used = BTreeSet::new();
            for f in files(path) {
                used.extend(named(&code(&f), prefixes));
            }
            used.retain(|u| u != name && names.contains(u));
            (name.clone(), used)
        })
        .collect()
}

/// A cycle in `g`, if there is one, as the modules on it.
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        v: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == v) {
            let mut c = path[i..].to_vec();
            c.push(v.to_string());
            return Some(c);
        }
        if done.contains(v) {
            return None;
        }
        path.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            if let Some(c) = visit(g, w, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(v.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for v in g.keys() {
        if let Some(c) = visit(g, v, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

/// The README's layers, top first.
fn layers() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- layers -->")
        .expect("the README lists the layers");
    let end = readme.find("<!-- /layers -->").unwrap();
    readme[start..end]
        .lines()
        .filter(|l| !l.starts_with("```") && !l.starts_with("<!--") && !l.trim().is_empty())
        .map(|l| {
            // Module names first, then the row's description after two spaces or more.
            let names = l.split("  ").next().unwrap_or_default();
            names.split_whitespace().map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn the_cores_modules_use_only_the_layers_below_them() {
    let g = graph(&root().join("src"), &["crate::".into()], &["cli"]);
    let layers = layers();
    let row = |m: &str| layers.iter().position(|l| l.iter().any(|n| n == m));
    let mut wrong = Vec::new();
    for (module, used) in &g {
        let Some(mine) = row(module) else {
            wrong.push(format!("{module} is in no layer of the README"));
            continue;
        };
        for u in used {
            match row(u) {
                Some(theirs) if theirs > mine => {}
                Some(_) => wrong.push(format!("{module} uses {u}, which is not below it")),
                None => wrong.push(format!("{u} is in no layer of the README")),
            }
        }
    }
    for l in &layers {
        for m in l {
            if !g.contains_key(m) {
                wrong.push(format!("the README names {m}, which is no module of src/"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_folder_of_modules_imports_in_a_circle() {
    let folders: &[(&str, &str)] = &[
        ("src/pdf", "crate::pdf::"),
        ("src/fill", "crate::fill::"),
        ("src/flow", "crate::flow::"),
        ("src/flowinstance", "crate::flowinstance::"),
        ("src/catalogue", "crate::catalogue::"),
        ("src/vault", "crate::vault::"),
        ("src/kiosk", "crate::kiosk::"),
        ("src/blankett", "crate::blankett::"),
        ("gateway/src/api", "crate::api::"),
        ("gateway/src/store", "crate::store::"),
        ("gateway/src/bankid", "crate::bankid::"),
        ("gateway/src", "crate::"),
        ("src-tauri/src/commands", "crate::commands::"),
    ];
    for (dir, own) in folders {
        let g = graph(&root().join(dir), &["super::".into(), own.to_string()], &[]);
        assert!(
            cycle(&g).is_none(),
            "{dir}: the modules import in a circle: {}",
            cycle(&g).unwrap().join(" → ")
        );
    }
}

#[test]
fn the_check_sees_a_cycle_and_an_upward_use() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("render", vec!["metadata"]),
        ("metadata", vec!["render"]),
        ("fonts", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert!(cycle(&g).is_some());
    assert_eq!(
        named(
            "use crate::{fill, flow::Flow};\nuse crate::ids::x;",
            &["crate::".into()]
        ),
        ["fill", "flow", "ids"]
            .into_iter()
            .map(str::to_string)
            .collect()
    );
}
