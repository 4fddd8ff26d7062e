//! One window per computer account: a second start shows the first window instead (the vault
//! is locked by the first anyway). The first listens on a socket in its data folder, which is
//! readable by the account only; the second connects, asks it to show itself, and exits.

use std::path::{Path, PathBuf};

pub fn socket(data_dir: &Path) -> PathBuf {
    data_dir.join("desktop.sock")
}

/// Whether another window answered (and was asked to show itself).
#[cfg(unix)]
pub fn handed_over(data_dir: &Path) -> bool {
    use std::io::Write;
    match std::os::unix::net::UnixStream::connect(socket(data_dir)) {
        Ok(mut s) => s.write_all(b"show\n").is_ok(),
        Err(_) => false,
    }
}

/// Listens for later starts and calls `show` for each.
#[cfg(unix)]
pub fn listen(data_dir: &Path, show: impl Fn() + Send + 'static) {
    let path = socket(data_dir);
    // Nobody answered on it: it is left over from a window that crashed.
    let _ = std::fs::remove_file(&path);
    let Ok(listener) = std::os::unix::net::UnixListener::bind(&path) else {
        return;
    };
    let _ = etjanst::private::restrict(&path, 0o600);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if conn.is_ok() {
                show();
            }
        }
    });
}

#[cfg(not(unix))]
pub fn handed_over(_: &Path) -> bool {
    false
}

#[cfg(not(unix))]
pub fn listen(_: &Path, _: impl Fn() + Send + 'static) {}
