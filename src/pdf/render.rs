//! Turns a laid-out document into PDF with krilla: tagged for screen readers (PDF/UA-1) and
//! archivable (PDF/A-2a), validated by krilla while writing.

use std::num::NonZeroU16;

use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::{Document, SerializeSettings};

use super::PdfError;
use super::fonts::Fonts;
use super::layout::{Child, Composer, Draw, Group, Kind, PAGE_H, PAGE_W};

/// What every page's header and footer says, and the document's metadata.
pub(crate) struct Frame {
    pub title: String,
    pub header: String,
    pub footer: String,
    pub created: chrono::NaiveDateTime,
}

fn draw(surface: &mut Surface, fonts: &Fonts, d: &Draw) {
    match d {
        Draw::Text {
            x,
            y,
            size,
            bold,
            text,
        } => {
            let face = if *bold { &fonts.bold } else { &fonts.regular };
            surface.set_fill(Some(Fill::default()));
            surface.draw_glyphs(
                Point::from_xy(*x, *y),
                &face.glyphs(text),
                face.font.clone(),
                text,
                *size,
                false,
            );
        }
        Draw::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: *width,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Draw::Mark {
            x,
            y,
            size,
            round,
            marked,
        } => {
            let outline = if *round {
                circle(*x + size / 2.0, *y + size / 2.0, size / 2.0)
            } else {
                let mut pb = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(*x, *y, *size, *size) {
                    pb.push_rect(r);
                }
                pb.finish()
            };
            if let Some(path) = outline {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: 0.8,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
            if *marked {
                let inner = if *round {
                    circle(*x + size / 2.0, *y + size / 2.0, size / 4.0)
                } else {
                    // A tick drawn as a filled check shape.
                    let mut pb = PathBuilder::new();
                    pb.move_to(x + size * 0.18, y + size * 0.52);
                    pb.line_to(x + size * 0.42, y + size * 0.78);
                    pb.line_to(x + size * 0.84, y + size * 0.2);
                    pb.line_to(x + size * 0.74, y + size * 0.12);
                    pb.line_to(x + size * 0.42, y + size * 0.6);
                    pb.line_to(x + size * 0.27, y + size * 0.43);
                    pb.close();
                    pb.finish()
                };
                if let Some(path) = inner {
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_path(&path);
                }
            }
        }
        Draw::Qr {
            x,
            y,
            module,
            side,
            modules,
        } => {
            // A one-byte-per-module grey image scaled up without smoothing: a few kilobytes
            // and cheap to write, where drawn rectangles cost tens of kilobytes and much time.
            let image = QrImage {
                side: *side as u32,
                luma: modules.iter().map(|d| if *d { 0 } else { 255 }).collect(),
            };
            let extent = *module * *side as f32;
            if let (Ok(image), Some(size)) = (
                krilla::image::Image::from_custom(image, false),
                krilla::geom::Size::from_wh(extent, extent),
            ) {
                surface.push_transform(&krilla::geom::Transform::from_translate(*x, *y));
                surface.draw_image(image, size);
                surface.pop();
            }
        }
    }
}

#[derive(Clone, Hash)]
struct QrImage {
    side: u32,
    luma: Vec<u8>,
}

impl krilla::image::CustomImage for QrImage {
    fn color_channel(&self) -> &[u8] {
        &self.luma
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }
    fn bits_per_component(&self) -> krilla::image::BitsPerComponent {
        krilla::image::BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.side, self.side)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> krilla::image::ImageColorspace {
        krilla::image::ImageColorspace::Luma
    }
}

fn circle(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    // Four cubic arcs; k is the usual circle approximation constant.
    let k = 0.552_284_8 * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

fn artifact_text(
    surface: &mut Surface,
    fonts: &Fonts,
    kind: ArtifactType,
    x: f32,
    y: f32,
    text: &str,
) {
    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
    draw(
        surface,
        fonts,
        &Draw::Text {
            x,
            y,
            size: 8.0,
            bold: false,
            text: text.to_string(),
        },
    );
    surface.end_tagged();
}

fn tag_kind(kind: &Kind) -> TagKind {
    match kind {
        Kind::Root | Kind::Div => Tag::Div.into(),
        Kind::H(level, title) => Tag::Hn(
            NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN),
            Some(title.clone()),
        )
        .into(),
        Kind::P => Tag::P.into(),
        Kind::L => Tag::L(krilla::tagging::ListNumbering::None).into(),
        Kind::LI => Tag::LI.into(),
        Kind::Lbl => Tag::Lbl.into(),
        Kind::LBody => Tag::LBody.into(),
        Kind::Table => Tag::Table.into(),
        Kind::TR => Tag::TR.into(),
        Kind::TH => Tag::TH(TableHeaderScope::Column).into(),
        Kind::TD => Tag::TD.into(),
        Kind::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
    }
}

fn build(groups: &[Group], index: usize, ids: &mut [Option<Identifier>]) -> Option<TagGroup> {
    let g = &groups[index];
    let mut out = TagGroup::new(tag_kind(&g.kind));
    for child in &g.children {
        match child {
            Child::Group(i) => {
                if let Some(sub) = build(groups, *i, ids) {
                    out.push(Node::from(sub));
                }
            }
            Child::Content(c) => {
                if let Some(id) = ids.get_mut(*c).and_then(Option::take) {
                    out.push(Node::from(id));
                }
            }
        }
    }
    // An element without content would be dropped by krilla anyway; say so explicitly.
    (!out.children.is_empty()).then_some(out)
}

pub(crate) fn render(c: Composer, frame: &Frame) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Standard(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    let total = c.pages.len();
    let contents = c
        .groups
        .iter()
        .flat_map(|g| &g.children)
        .filter(|ch| matches!(ch, Child::Content(_)))
        .count();
    let mut ids: Vec<Option<Identifier>> = (0..contents).map(|_| None).collect();
    let fonts = c.fonts;
    for (n, items) in c.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| PdfError::Standard("sidstorlek".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        artifact_text(
            &mut surface,
            fonts,
            ArtifactType::Header,
            super::layout::LEFT,
            40.0,
            &frame.header,
        );
        artifact_text(
            &mut surface,
            fonts,
            ArtifactType::Footer,
            super::layout::LEFT,
            PAGE_H - 36.0,
            &frame.footer,
        );
        let number = format!("Sida {} av {total}", n + 1);
        let w = fonts.regular.width(&number, 8.0);
        artifact_text(
            &mut surface,
            fonts,
            ArtifactType::Footer,
            super::layout::RIGHT - w,
            PAGE_H - 36.0,
            &number,
        );
        for item in items {
            match item.content {
                Some(cid) => {
                    let tag = match item.draw {
                        Draw::Text { .. } => ContentTag::Span(SpanTag::empty()),
                        _ => ContentTag::Other,
                    };
                    let id = surface.start_tagged(tag);
                    draw(&mut surface, fonts, &item.draw);
                    surface.end_tagged();
                    if let Some(slot) = ids.get_mut(cid) {
                        *slot = Some(id);
                    }
                }
                None => {
                    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                        ArtifactType::Layout,
                    )));
                    draw(&mut surface, fonts, &item.draw);
                    surface.end_tagged();
                }
            }
        }
        surface.finish();
        page.finish();
    }
    let mut tree = TagTree::new().with_lang(Some("sv-SE".into()));
    for child in &c.groups[0].children {
        match child {
            Child::Group(i) => {
                if let Some(g) = build(&c.groups, *i, &mut ids) {
                    tree.push(Node::from(g));
                }
            }
            Child::Content(cid) => {
                if let Some(id) = ids.get_mut(*cid).and_then(Option::take) {
                    tree.push(Node::from(id));
                }
            }
        }
    }
    document.set_tag_tree(tree);
    let mut outline = Outline::new();
    for (title, page, y) in &c.outline {
        outline.push_child(OutlineNode::new(
            title.clone(),
            XyzDestination::new(*page, Point::from_xy(0.0, (*y - 30.0).max(0.0))),
        ));
    }
    document.set_outline(outline);
    let t = frame.created;
    use chrono::{Datelike, Timelike};
    document.set_metadata(
        Metadata::new()
            .title(frame.title.clone())
            .language("sv-SE".into())
            .creator("etjanst".into())
            .producer("etjanst (krilla)".into())
            .creation_date(
                DateTime::new(t.year() as u16)
                    .month(t.month() as u8)
                    .day(t.day() as u8)
                    .hour(t.hour() as u8)
                    .minute(t.minute() as u8)
                    .second(t.second() as u8),
            ),
    );
    document
        .finish()
        .map_err(|e| PdfError::Standard(format!("{e:?}")))
}
