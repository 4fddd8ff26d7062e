//! The licence file the packages ship and "Om etjanst" shows must name every crate compiled
//! into the programs: a dependency added or upgraded without running `scripts/licenses` again
//! fails here. The crates are cargo's own answer for the desktop crate (which holds the core
//! and the command line) on Linux: normal dependencies, without build scripts' and proc
//! macros' (those run at build time and are not shipped), as `cargo tree` resolves features.

use std::collections::HashSet;

#[test]
fn every_shipped_crate_is_in_the_licence_file() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "-e",
            "normal,no-proc-macro",
            "--target",
            "x86_64-unknown-linux-gnu",
            "-p",
            "etjanst-desktop",
            "-f",
            "{p}",
            "--prefix",
            "none",
            "--manifest-path",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml"),
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    // "name v1.2.3 (path or source)" → "name@1.2.3", as the licence file lists them (not
    // "name 1.2.3": lintian takes "fdeflate 0.3.7" inside the binary for an embedded zlib).
    let shipped: HashSet<String> = tree
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next()?;
            let version = parts.next()?.strip_prefix('v')?;
            (!name.starts_with("etjanst")).then(|| format!("{name}@{version}"))
        })
        .collect();
    assert!(
        shipped.len() > 100,
        "only {} crates: the tree is read wrong",
        shipped.len()
    );
    let file = include_str!("../../packaging/THIRD-PARTY-LICENSES.txt");
    let listed: HashSet<&str> = file.lines().map(str::trim).collect();
    let mut missing: Vec<&String> = shipped
        .iter()
        .filter(|c| !listed.contains(c.as_str()))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "not in packaging/THIRD-PARTY-LICENSES.txt (run scripts/licenses): {missing:?}"
    );
}
