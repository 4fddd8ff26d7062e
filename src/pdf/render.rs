//! Turns a laid-out document into PDF with pdf-writer: tagged for screen readers (PDF/UA-1)
//! and archivable (PDF/A-2a).
//!
//! Written directly rather than through krilla: with krilla a ten-page form took 7.9 ms,
//! about 40 % of it krilla's per-glyph bookkeeping. What the standards ask of these
//! documents is few and fixed: embedded subset fonts whose widths agree with the font, every
//! piece of content
//! either in the structure tree or marked as an artifact, a language, a title shown in the
//! window, XMP metadata claiming both standards, an output intent and a file id.
//! `tests/pdf_audit/` checks each of them on the written file through qpdf.

use pdf_writer::types::{OutputIntentSubtype, TabOrder};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, TextStr};

use super::PdfError;
use super::deflate::deflate;
use super::fonts::Fonts;
use super::layout::{Child, Composer, Draw, LEFT, PAGE_H, PAGE_W, RIGHT};
use super::metadata::{SRGB_DEFLATED, file_id, pdf_date, xmp};
use super::paint::{Mark, Painter};
use super::structure::Placed;
use super::subset::{GlyphSet, encode, subset};
use crate::qr::Symbol;

pub(crate) use super::metadata::Frame;

/// Hands out object numbers in order.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
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
        // Content gets the page's next MCID; decoration none.
        let tagged = item.content.map(|cid| {
            placed.push((cid, mcid));
            mcid += 1;
            mcid - 1
        });
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
                p.begin(&mark(tagged, b"Span", (!faithful).then_some(text.as_str())));
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
                p.begin(&mark(tagged, b"Figure", None));
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
                p.begin(&mark(tagged, b"Figure", Some(state)));
                p.outline(*x, *y, *size, *round);
                if *marked {
                    p.chosen(*x, *y, *size, *round);
                }
                p.end();
            }
            Draw::Qr { x, y, size, code } => {
                p.begin(&mark(tagged, b"Figure", None));
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

/// Tagged content under `tag` with its MCID, or an artifact when there is none.
fn mark<'a>(mcid: Option<usize>, tag: &'static [u8], actual: Option<&'a str>) -> Mark<'a> {
    match mcid {
        Some(mcid) => Mark::Content { tag, mcid, actual },
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

    super::structure::write_structure(
        &mut pdf,
        &c.groups,
        &placed,
        &page_refs,
        struct_root,
        || refs.next(),
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
    let mut profile_stream = pdf.icc_profile(icc, &SRGB_DEFLATED);
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
