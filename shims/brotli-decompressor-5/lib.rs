//! brotli-decompressor 6 under the name and version lopdf asks for (see Cargo.toml).
pub use brotli_decompressor_6::*;
