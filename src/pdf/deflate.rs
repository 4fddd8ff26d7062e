//! Stream compression for the PDF.

/// Compresses a stream. Level 1: most of a form's bytes are repetitive glyph codes that the
/// fastest level already shrinks well, and the time saved is most of the time left. One
/// compressor per thread is reset and reused: a fresh one allocates and clears a quarter
/// megabyte of tables, which cost more than compressing a page.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static COMPRESS: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::new(1), true));
    }
    COMPRESS.with_borrow_mut(|z| {
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 128);
        loop {
            let read = z.total_in() as usize;
            match z.compress_vec(&data[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                // Out of room: double it and go on.
                Ok(_) => out.reserve(out.capacity().max(1024)),
                // Not seen in practice; a fresh encoder still gives a valid stream.
                Err(_) => {
                    use std::io::Write;
                    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(1));
                    let _ = e.write_all(data);
                    return e.finish().unwrap_or_default();
                }
            }
        }
    })
}
