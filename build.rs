//! The PDF fonts are embedded deflated (half their size in the binary) and inflated on first
//! use: the desktop binary's size counts.

use std::io::Write;

fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    for name in ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"] {
        let path = std::path::Path::new("fonts").join(name);
        println!("cargo::rerun-if-changed={}", path.display());
        let data = std::fs::read(&path).expect("fonts/ (Noto Sans)");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&data).expect("deflate");
        std::fs::write(out.join(format!("{name}.z")), z.finish().expect("deflate"))
            .expect("OUT_DIR");
    }
}
