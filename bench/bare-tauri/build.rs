//! Tauri's build step, with the one command the page calls.

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["painted"])),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e:#}"));
}
