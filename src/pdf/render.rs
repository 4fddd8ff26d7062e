//! Turns a laid-out document into PDF with pdf-writer: tagged for screen readers (PDF/UA-1)
//! and archivable (PDF/A-2a).
//!
//! Written directly rather than through krilla: krilla's per-glyph bookkeeping made a
//! ten-page form take 8 ms, most of it spent on work a form does not need (shaping, colour
//! management, a general validator). What the standards ask of these documents is few and
//! fixed: embedded subset fonts whose widths agree with the font, every piece of content
//! either in the structure tree or marked as an artifact, a language, a title shown in the
//! window, XMP metadata claiming both standards, an output intent and a file id. `tests/pdf.rs`
//! audits each of them on the written file with qpdf.

use chrono::{Datelike, Timelike};
use pdf_writer::types::{
    ListNumbering, OutputIntentSubtype, StructRole, TabOrder, TableHeaderScope,
};
use pdf_writer::{Chunk, Date, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};

use super::PdfError;
use super::fonts::Fonts;
use super::layout::{Child, Composer, Draw, Group, Kind, LEFT, PAGE_H, PAGE_W, RIGHT};
use super::paint::{Mark, Painter};
use super::subset::{GlyphSet, encode, subset};
use crate::qr::Symbol;

static SRGB: &[u8] = include_bytes!("../../assets/icc/sRGB-v4.icc");

/// What every page's header and footer says, and the document's metadata.
pub(crate) struct Frame {
    pub title: String,
    pub header: String,
    pub footer: String,
    pub created: chrono::NaiveDateTime,
}

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

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// Where each piece of tagged content ended up: its page and its number on that page.
#[derive(Clone, Copy, Default)]
struct Placed {
    page: usize,
    mcid: usize,
}

/// One page as drawn: its compressed content stream, which content it holds under which
/// MCID, and the glyphs it uses of each face.
struct PageOut {
    stream: Vec<u8>,
    placed: Vec<(usize, usize)>,
    glyphs: [GlyphSet; 2],
}

/// Draws one page. Pages share nothing while drawn, so they are drawn in parallel.
fn paint_page(
    items: &[super::layout::Item],
    fonts: &Fonts,
    frame: &Frame,
    number: usize,
    total: usize,
) -> PageOut {
    let mut glyphs = [GlyphSet::default(), GlyphSet::default()];
    let mut placed = Vec::new();
    let mut p = Painter::with_capacity(items.len() * 256 + 512);
    let mut codes = Vec::with_capacity(256);
    let mut mcid = 0;
    let footer_y = PAGE_H - 36.0;
    let page_number = format!("Sida {number} av {total}");
    let number_x = RIGHT - fonts.regular.width(&page_number, 8.0);
    for (subtype, x, y, text) in [
        (&b"Header"[..], LEFT, 40.0, frame.header.as_str()),
        (b"Footer", LEFT, footer_y, frame.footer.as_str()),
        (b"Footer", number_x, footer_y, page_number.as_str()),
    ] {
        codes.clear();
        encode(&fonts.regular, text, &mut glyphs[0], &mut codes);
        p.begin(&Mark::Artifact(Some(subtype)));
        p.text(0, 8.0, x, y, &codes);
        p.end();
    }
    for item in items {
        let mark = match item.content {
            Some(cid) => {
                placed.push((cid, mcid));
                mcid += 1;
                Some(cid)
            }
            None => None,
        };
        match &item.draw {
            Draw::Text {
                x,
                y,
                size,
                bold: is_bold,
                text,
            } => {
                codes.clear();
                let (font, face) = if *is_bold {
                    (1, &fonts.bold)
                } else {
                    (0, &fonts.regular)
                };
                let faithful = encode(face, text, &mut glyphs[usize::from(font)], &mut codes);
                p.begin(&match mark {
                    Some(_) => Mark::Content {
                        tag: b"Span",
                        mcid: mcid - 1,
                        actual: (!faithful).then_some(text.as_str()),
                    },
                    None => Mark::Artifact(None),
                });
                p.text(font, *size, *x, *y, &codes);
                p.end();
            }
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
            } => {
                p.begin(&content_or_artifact(mark, mcid, None));
                p.line(*x1, *y1, *x2, *y2, *width);
                p.end();
            }
            Draw::Mark {
                x,
                y,
                size,
                round,
                marked,
            } => {
                // A reader hears the state of the box, since the drawing says nothing.
                let state = if *marked { "Valt" } else { "Inte valt" };
                p.begin(&content_or_artifact(mark, mcid, Some(state)));
                p.outline(*x, *y, *size, *round);
                if *marked {
                    p.chosen(*x, *y, *size, *round);
                }
                p.end();
            }
            Draw::Qr { x, y, size, code } => {
                p.begin(&content_or_artifact(mark, mcid, None));
                p.image(*code, *x, *y, *size);
                p.end();
            }
        }
    }
    PageOut {
        stream: deflate(&p.out),
        placed,
        glyphs,
    }
}

fn content_or_artifact(mark: Option<usize>, next_mcid: usize, actual: Option<&str>) -> Mark<'_> {
    match mark {
        Some(_) => Mark::Content {
            tag: b"Figure",
            mcid: next_mcid - 1,
            actual,
        },
        None => Mark::Artifact(None),
    }
}

/// A QR code as a one-bit grey image, one sample per module and its four-module quiet zone
/// included: a reader scales it up without smoothing (`/Interpolate false`), so the edges
/// stay sharp at any resolution.
fn qr_samples(symbol: &Symbol) -> (usize, Vec<u8>) {
    let side = symbol.side + 8;
    let row = side.div_ceil(8);
    let mut out = vec![0xFF; row * side];
    for (line, modules) in out
        .chunks_mut(row)
        .skip(4)
        .zip(symbol.modules.chunks(symbol.side))
    {
        for (c, dark) in modules.iter().enumerate() {
            if *dark {
                let c = c + 4;
                line[c / 8] &= !(0x80 >> (c % 8));
            }
        }
    }
    (side, out)
}

fn role(kind: &Kind) -> StructRole {
    match kind {
        Kind::Root => StructRole::Document,
        Kind::Div => StructRole::Div,
        Kind::H(1, _) => StructRole::H1,
        Kind::H(2, _) => StructRole::H2,
        Kind::H(3, _) => StructRole::H3,
        Kind::H(4, _) => StructRole::H4,
        Kind::H(5, _) => StructRole::H5,
        Kind::H(_, _) => StructRole::H6,
        Kind::P => StructRole::P,
        Kind::L => StructRole::L,
        Kind::LI => StructRole::LI,
        Kind::Lbl => StructRole::Lbl,
        Kind::LBody => StructRole::LBody,
        Kind::Table => StructRole::Table,
        Kind::TR => StructRole::TR,
        Kind::TH => StructRole::TH,
        Kind::TD => StructRole::TD,
        Kind::Figure(_) => StructRole::Figure,
    }
}

/// Writes the structure tree: one element per non-empty group, content referenced by
/// marked-content id, and the parent tree that leads from each page's content back to its
/// element.
fn write_structure(
    chunk: &mut Chunk,
    groups: &[Group],
    placed: &[Placed],
    page_refs: &[Ref],
    root: Ref,
    refs: &mut Refs,
) {
    // Groups are created parent first, so walking backwards sees every child before its
    // parent. An element with no content anywhere below it is left out.
    let mut kept = vec![false; groups.len()];
    for i in (0..groups.len()).rev() {
        kept[i] = groups[i].children.iter().any(|c| match c {
            Child::Content(_) => true,
            Child::Group(g) => kept[*g],
        });
    }
    let elem: Vec<Option<Ref>> = kept.iter().map(|k| k.then(|| refs.next())).collect();
    let mut parent = vec![root; groups.len()];
    let mut owner = vec![root; placed.len()];
    for (i, g) in groups.iter().enumerate() {
        for child in &g.children {
            match child {
                Child::Group(sub) => {
                    if let Some(me) = elem[i] {
                        parent[*sub] = me;
                    }
                }
                Child::Content(c) => {
                    if let Some(me) = elem[i] {
                        owner[*c] = me;
                    }
                }
            }
        }
    }
    for (i, g) in groups.iter().enumerate() {
        let Some(me) = elem[i] else { continue };
        let mut e = chunk.struct_element(me);
        e.kind(role(&g.kind)).parent(parent[i]);
        // The element's page is the page of its first content; content on other pages
        // names its page itself.
        let home = g.children.iter().find_map(|c| match c {
            Child::Content(c) => Some(placed[*c].page),
            Child::Group(_) => None,
        });
        if let Some(home) = home {
            e.page(page_refs[home]);
        }
        match &g.kind {
            Kind::H(_, title) => {
                e.title(TextStr(title));
            }
            Kind::Figure(alt) => {
                e.alt(TextStr(alt));
            }
            Kind::L => {
                e.attributes()
                    .push()
                    .list()
                    .list_numbering(ListNumbering::None);
            }
            Kind::TH => {
                e.attributes()
                    .push()
                    .table()
                    .scope(TableHeaderScope::Column);
            }
            _ => {}
        }
        let mut kids = e.children();
        for child in &g.children {
            match child {
                Child::Group(sub) => {
                    if let Some(r) = elem[*sub] {
                        kids.struct_element(r);
                    }
                }
                Child::Content(c) => {
                    let at = placed[*c];
                    if Some(at.page) == home {
                        kids.marked_content_id(at.mcid as i32);
                    } else {
                        kids.marked_content_ref()
                            .marked_content_id(at.mcid as i32)
                            .page(page_refs[at.page]);
                    }
                }
            }
        }
    }
    let mut per_page: Vec<Vec<Ref>> = vec![Vec::new(); page_refs.len()];
    for (c, at) in placed.iter().enumerate() {
        let list = &mut per_page[at.page];
        if list.len() <= at.mcid {
            list.resize(at.mcid + 1, root);
        }
        list[at.mcid] = owner[c];
    }
    let parent_tree: Vec<Ref> = per_page.iter().map(|_| refs.next()).collect();
    for (r, list) in parent_tree.iter().zip(&per_page) {
        chunk.indirect(*r).array().items(list.iter().copied());
    }
    let document = elem[0];
    let mut tree = chunk
        .indirect(root)
        .start::<pdf_writer::writers::StructTreeRoot>();
    if let Some(d) = document {
        tree.child(d);
    }
    let mut nums = tree.parent_tree();
    let mut entries = nums.nums();
    for (i, r) in parent_tree.iter().enumerate() {
        entries.insert(i as i32, *r);
    }
    entries.finish();
    nums.finish();
    tree.parent_tree_next_key(page_refs.len() as i32);
}

fn pdf_date(t: chrono::NaiveDateTime) -> Date {
    Date::new(t.year() as u16)
        .month(t.month() as u8)
        .day(t.day() as u8)
        .hour(t.hour() as u8)
        .minute(t.minute() as u8)
        .second(t.second() as u8)
}

fn xmp(frame: &Frame) -> String {
    use xmp_writer::{DateTime, XmpWriter};
    let t = frame.created;
    let mut x = XmpWriter::new();
    x.title([(None, frame.title.as_str())]);
    x.language([xmp_writer::LangId("sv-SE")]);
    x.creator_tool("etjanst");
    x.producer("etjanst");
    x.create_date(DateTime {
        year: t.year() as u16,
        month: Some(t.month() as u8),
        day: Some(t.day() as u8),
        hour: Some(t.hour() as u8),
        minute: Some(t.minute() as u8),
        second: Some(t.second() as u8),
        timezone: None,
    });
    x.format("application/pdf");
    x.pdfa_part(2);
    x.pdfa_conformance("A");
    x.pdfua_part(1);
    // PDF/A-2 knows no pdfuaid schema: it must be described to be allowed.
    x.extension_schemas()
        .pdfua_id()
        .properties()
        .describe_part();
    x.finish(None)
}

/// A file id that is the same for the same document, so identical input gives identical
/// bytes.
fn file_id(parts: &[&[u8]]) -> Vec<u8> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize()[..16].to_vec()
}

/// Writes the document; `codes` are the texts of its QR codes, drawn here beside the pages.
pub(crate) fn render(c: Composer, frame: &Frame, codes: &[String]) -> Result<Vec<u8>, PdfError> {
    use rayon::prelude::*;
    let fonts: &Fonts = c.fonts;
    let total = c.pages.len();
    let contents = c
        .groups
        .iter()
        .flat_map(|g| &g.children)
        .filter(|ch| matches!(ch, Child::Content(_)))
        .count();
    // Every page is drawn and compressed on rayon's threads (which outlive the call, and so
    // do their compressors); then the glyphs they used are cut out of the fonts.
    let (pages, symbols) = rayon::join(
        || {
            c.pages
                .par_iter()
                .enumerate()
                .map(|(n, items)| paint_page(items, fonts, frame, n + 1, total))
                .collect::<Vec<PageOut>>()
        },
        || {
            codes
                .par_iter()
                .map(|code| crate::qr::symbol(code))
                .collect::<Result<Vec<Symbol>, _>>()
        },
    );
    let symbols = symbols?;
    let mut placed = vec![Placed::default(); contents];
    let mut used = [GlyphSet::default(), GlyphSet::default()];
    for (n, page) in pages.iter().enumerate() {
        for (cid, mcid) in &page.placed {
            placed[*cid] = Placed {
                page: n,
                mcid: *mcid,
            };
        }
        for (all, this) in used.iter_mut().zip(&page.glyphs) {
            all.merge(this);
        }
    }
    let faces = [&fonts.regular, &fonts.bold];
    let cut = |i: usize| {
        (!used[i].is_empty())
            .then(|| subset(faces[i], &used[i]))
            .transpose()
    };
    let (regular, (bold, qr)) = rayon::join(
        || cut(0),
        || {
            let qr = symbols
                .iter()
                .map(|symbol| {
                    let (side, samples) = qr_samples(symbol);
                    (side, deflate(&samples))
                })
                .collect::<Vec<_>>();
            (cut(1), qr)
        },
    );

    let mut refs = Refs(0);
    let catalog = refs.next();
    let page_tree = refs.next();
    let struct_root = refs.next();
    let outline = refs.next();
    let metadata = refs.next();
    let icc = refs.next();
    let info = refs.next();
    let font_refs = [refs.next(), refs.next()];
    let page_refs: Vec<Ref> = (0..total).map(|_| refs.next()).collect();
    let content_refs: Vec<Ref> = (0..total).map(|_| refs.next()).collect();
    let image_refs: Vec<Ref> = (0..qr.len()).map(|_| refs.next()).collect();

    let mut pdf =
        Pdf::with_capacity(pages.iter().map(|p| p.stream.len()).sum::<usize>() + 96 * 1024);
    for (i, embedding) in [regular?, bold?].iter().enumerate() {
        if let Some(e) = embedding {
            e.write(&mut pdf, font_refs[i], || refs.next());
        }
    }
    for (r, (side, data)) in image_refs.iter().zip(&qr) {
        let mut image = pdf.image_xobject(*r, data);
        image
            .width(*side as i32)
            .height(*side as i32)
            .color_space_name(Name(b"DeviceGray"))
            .bits_per_component(1)
            .interpolate(false);
        image.filter(Filter::FlateDecode);
    }
    pdf.pages(page_tree)
        .kids(page_refs.iter().copied())
        .count(total as i32);
    for (n, (page_ref, content_ref)) in page_refs.iter().zip(&content_refs).enumerate() {
        let mut page = pdf.page(*page_ref);
        page.parent(page_tree)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(*content_ref)
            .struct_parents(n as i32)
            .tab_order(TabOrder::StructureOrder);
        let mut resources = page.resources();
        let mut f = resources.fonts();
        for (i, used) in used.iter().enumerate() {
            if !used.is_empty() {
                f.pair(Name(format!("F{i}").as_bytes()), font_refs[i]);
            }
        }
        f.finish();
        if !image_refs.is_empty() {
            let mut x = resources.x_objects();
            for (i, r) in image_refs.iter().enumerate() {
                x.pair(Name(format!("Im{i}").as_bytes()), *r);
            }
        }
    }
    for (r, page) in content_refs.iter().zip(&pages) {
        pdf.stream(*r, &page.stream).filter(Filter::FlateDecode);
    }

    write_structure(
        &mut pdf,
        &c.groups,
        &placed,
        &page_refs,
        struct_root,
        &mut refs,
    );

    let items: Vec<Ref> = c.outline.iter().map(|_| refs.next()).collect();
    if !items.is_empty() {
        let mut o = pdf.outline(outline);
        o.first(items[0]).last(items[items.len() - 1]);
        o.count(items.len() as i32);
    }
    for (i, (title, page, y)) in c.outline.iter().enumerate() {
        let mut item = pdf.outline_item(items[i]);
        item.parent(outline).title(TextStr(title));
        if i > 0 {
            item.prev(items[i - 1]);
        }
        if let Some(next) = items.get(i + 1) {
            item.next(*next);
        }
        item.dest().page(page_refs[(*page).min(total - 1)]).xyz(
            0.0,
            PAGE_H - (*y - 30.0).max(0.0),
            None,
        );
    }

    let xmp = xmp(frame);
    pdf.metadata(metadata, xmp.as_bytes());
    let profile = deflate(SRGB);
    let mut profile_stream = pdf.icc_profile(icc, &profile);
    profile_stream.n(3).range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    profile_stream.filter(Filter::FlateDecode);
    profile_stream.finish();
    let mut cat = pdf.catalog(catalog);
    cat.pages(page_tree)
        .lang(TextStr("sv-SE"))
        .metadata(metadata);
    if !items.is_empty() {
        cat.outlines(outline);
    }
    cat.viewer_preferences().display_doc_title(true);
    cat.mark_info().marked(true);
    cat.pair(Name(b"StructTreeRoot"), struct_root);
    cat.output_intents()
        .push()
        .subtype(OutputIntentSubtype::PDFA)
        .output_condition_identifier(TextStr("sRGB"))
        .info(TextStr("sRGB IEC61966-2.1"))
        .dest_output_profile(icc);
    cat.finish();
    pdf.document_info(info)
        .title(TextStr(&frame.title))
        .creator(TextStr("etjanst"))
        .producer(TextStr("etjanst"))
        .creation_date(pdf_date(frame.created));
    let id = file_id(&[
        frame.title.as_bytes(),
        xmp.as_bytes(),
        &(total as u64).to_be_bytes(),
        pages.first().map_or(&[][..], |p| p.stream.as_slice()),
    ]);
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}
