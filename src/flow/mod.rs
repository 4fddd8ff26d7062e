//! Flow definitions: the model, the JSON flow format, `.oeflow` import/export and the
//! structural checks run at load.

mod check;
pub mod int_id;
mod model;
pub mod numbered;
pub mod oeflow;

use std::path::{Path, PathBuf};

pub use check::{FlowDefinitionError, check};
pub use model::*;

/// A flow file that cannot be loaded; nothing from it is used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}", crate::i18n::display("load-io", &[("path", .path.display().to_string()), ("source", .source.to_string())]))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::i18n::display("load-syntax", &[("path", .path.display().to_string()), ("line", .line.to_string()), ("column", .column.to_string()), ("message", .message.to_string())]))]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", crate::i18n::display("load-definition", &[("path", .path.display().to_string()), ("source", .source.to_string())]))]
    Definition {
        path: PathBuf,
        source: FlowDefinitionError,
    },
    #[error("{}", crate::i18n::display("load-unknown-format", &[("path", .path.display().to_string())]))]
    UnknownFormat { path: PathBuf },
}

/// Parses a flow in the JSON format and checks it.
pub fn from_json(path: &Path, text: &str) -> Result<Flow, LoadError> {
    let flow: Flow = serde_json::from_str(text).map_err(|e| LoadError::Syntax {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: crate::json_error::message(&e, crate::i18n::language() == crate::i18n::Lang::Sv),
    })?;
    checked(path, flow)
}

/// Parses a `.oeflow` export and checks it.
pub fn from_oeflow(path: &Path, bytes: &[u8]) -> Result<Flow, LoadError> {
    let flow = oeflow::import(bytes).map_err(|e| LoadError::Syntax {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    checked(path, flow)
}

fn checked(path: &Path, flow: Flow) -> Result<Flow, LoadError> {
    check(&flow).map_err(|source| LoadError::Definition {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(flow)
}

/// The largest flow file read: a `.oeflow` with its blanketter is a few MB.
pub const MAX_FLOW_FILE_BYTES: u64 = 64 << 20;

/// Loads a `.json` or `.oeflow` file by its extension.
pub fn load(path: &Path) -> Result<Flow, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FLOW_FILE_BYTES {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "filen är {} MB; en e-tjänst är högst {} MB",
                size >> 20,
                MAX_FLOW_FILE_BYTES >> 20
            ),
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    from_bytes(path, &bytes)
}

/// Parses flow bytes named `path` (used for embedded files too).
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Flow, LoadError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("oeflow") => from_oeflow(path, bytes),
        Some("json") => {
            let text = std::str::from_utf8(bytes).map_err(|e| LoadError::Syntax {
                path: path.to_path_buf(),
                line: 1,
                column: e.valid_up_to() + 1,
                message: "JSON-filen är inte giltig UTF-8".into(),
            })?;
            from_json(path, text)
        }
        _ => Err(LoadError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// The JSON Schema of the flow format, as published in `forms/flow.schema.json`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Flow)).unwrap_or_default()
}
