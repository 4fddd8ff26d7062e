fn main() {
    // Every command the window may call is listed here, so each needs an explicit permission
    // in capabilities/main.json: a command added without one cannot be called.
    let commands: &[&str] = &include!("src/command_names.in");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build step");
}
