fn main() {
    // The commit the app was built from, for "Om etjanst"; none outside a git checkout.
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=ETJANST_COMMIT={commit}");
    println!("cargo:rerun-if-changed=../.git/HEAD");
    println!("cargo:rerun-if-changed=../.git/refs/heads");
    // The third-party licences (half a megabyte of text) go into the binary deflated: "Om
    // etjanst" inflates them when asked.
    let licences = "../packaging/THIRD-PARTY-LICENSES.txt";
    println!("cargo:rerun-if-changed={licences}");
    let text = std::fs::read(licences).expect("packaging/THIRD-PARTY-LICENSES.txt");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &text).expect("deflate");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("licenses.txt.z"), z.finish().expect("deflate")).expect("write");
    // Every command the window may call is listed here, so each needs an explicit permission
    // in capabilities/main.json: a command added without one cannot be called.
    let commands: &[&str] = &include!("src/command_names.in");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}
