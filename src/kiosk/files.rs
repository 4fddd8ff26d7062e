//! The files a kiosk's visitor may attach: only those in the administrator's folders (a USB
//! stick's mount point, a scanner's drop folder), never a path the page names elsewhere, and
//! never through a link that leads out of them.

use std::path::{Path, PathBuf};

use super::KioskConfig;

/// How deep under a folder files are listed (a stick's folder and one below).
const DEPTH: usize = 3;
/// At most this many files are offered, so a full disk does not freeze the page.
const MAX_FILES: usize = 500;

/// A file the visitor may attach.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachable {
    pub path: PathBuf,
    /// Its place under its folder, as shown ("Skannat/intyg.pdf").
    pub shown: String,
    pub bytes: u64,
}

impl KioskConfig {
    /// The files under the attachment folders, sorted by their shown name; none when
    /// attachments are off. Hidden files and folders are left out.
    pub fn attachable_files(&self) -> Vec<Attachable> {
        if !self.attachments {
            return Vec::new();
        }
        let mut out = Vec::new();
        for folder in &self.attachment_folders {
            let Ok(root) = folder.canonicalize() else {
                continue;
            };
            walk(&root, &root, 0, &mut out);
        }
        out.sort_by(|a, b| a.shown.cmp(&b.shown));
        out.truncate(MAX_FILES);
        out
    }

    /// `path` as a file the visitor may attach: a regular file that is, once every link is
    /// followed, inside one of the attachment folders. `None` for anything else.
    pub fn attachable(&self, path: &Path) -> Option<PathBuf> {
        if !self.attachments {
            return None;
        }
        let real = path.canonicalize().ok()?;
        let inside = self
            .attachment_folders
            .iter()
            .filter_map(|f| f.canonicalize().ok())
            .any(|root| real.starts_with(&root));
        (inside && real.is_file()).then_some(real)
    }
}

fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<Attachable>) {
    if depth >= DEPTH || out.len() >= MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Links are not followed: one could lead out of the folder.
        let Ok(kind) = e.file_type() else { continue };
        let path = e.path();
        if kind.is_dir() {
            walk(root, &path, depth + 1, out);
        } else if kind.is_file() {
            let shown = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let bytes = e.metadata().map_or(0, |m| m.len());
            out.push(Attachable { path, shown, bytes });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(folder: &Path, attachments: bool) -> KioskConfig {
        let text = format!(
            "attachments = {attachments}\nattachment_folders = [{:?}]\nadmin_code = \"{}\"\n",
            folder.to_str().unwrap(),
            super::super::admin::hash("bibliotek-42", Some(10)).unwrap()
        );
        KioskConfig::parse(&text, "kiosk.toml").unwrap()
    }

    #[test]
    fn only_files_inside_the_folders_can_be_attached() {
        let stick = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir(stick.path().join("Skannat")).unwrap();
        std::fs::write(stick.path().join("Skannat/intyg.pdf"), b"%PDF").unwrap();
        std::fs::write(stick.path().join("foto.jpg"), b"jpg").unwrap();
        std::fs::write(stick.path().join(".dold"), b"x").unwrap();
        std::fs::write(elsewhere.path().join("hemligt.txt"), b"secret").unwrap();
        std::os::unix::fs::symlink(
            elsewhere.path().join("hemligt.txt"),
            stick.path().join("länk.txt"),
        )
        .unwrap();

        let c = config(stick.path(), true);
        let shown: Vec<_> = c.attachable_files().into_iter().map(|f| f.shown).collect();
        assert_eq!(shown, ["Skannat/intyg.pdf", "foto.jpg"]);
        assert!(c.attachable(&stick.path().join("foto.jpg")).is_some());
        assert!(
            c.attachable(&elsewhere.path().join("hemligt.txt"))
                .is_none()
        );
        assert!(c.attachable(&stick.path().join("länk.txt")).is_none());
        assert!(
            c.attachable(
                &stick
                    .path()
                    .join("Skannat/../../")
                    .join(elsewhere.path().file_name().unwrap())
                    .join("hemligt.txt")
            )
            .is_none()
        );
        assert!(
            c.attachable(stick.path()).is_none(),
            "a folder is not a file"
        );

        let off = config(stick.path(), false);
        assert!(off.attachable_files().is_empty());
        assert!(off.attachable(&stick.path().join("foto.jpg")).is_none());
    }
}
