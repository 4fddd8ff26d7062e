//! Page layout: a cursor that flows text and boxes down A4 pages, and a logical structure
//! (headings, paragraphs, tables) recorded in reading order for the PDF's tag tree.

use super::fonts::Fonts;

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const LEFT: f32 = 56.7;
pub(crate) const RIGHT: f32 = PAGE_W - 56.7;
pub(crate) const TOP: f32 = 72.0;
pub(crate) const BOTTOM: f32 = PAGE_H - 64.0;
pub(crate) const WIDTH: f32 = RIGHT - LEFT;

/// Something drawn on a page. Coordinates are points from the top-left corner.
#[derive(Debug, Clone)]
pub(crate) enum Draw {
    /// One line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A tick box or radio circle, empty or marked.
    Mark {
        x: f32,
        y: f32,
        size: f32,
        round: bool,
        marked: bool,
    },
    /// The `code`-th QR code of the document, its quiet zone included, in a `size`-point
    /// square. The symbols themselves are made while the pages are drawn.
    Qr {
        x: f32,
        y: f32,
        size: f32,
        code: usize,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub draw: Draw,
    /// The content's index in the tag tree, or `None` for decoration (an artifact).
    pub content: Option<usize>,
}

/// Structure element kinds etjanst uses.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Root,
    /// Heading of level 1–3, with its text as title.
    H(u16, String),
    P,
    Div,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    TH,
    TD,
    Figure(String),
}

#[derive(Debug, Clone)]
pub(crate) enum Child {
    Group(usize),
    Content(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub kind: Kind,
    pub children: Vec<Child>,
}

pub(crate) struct Composer<'f> {
    pub fonts: &'f Fonts,
    pub pages: Vec<Vec<Item>>,
    pub groups: Vec<Group>,
    stack: Vec<usize>,
    pub y: f32,
    contents: usize,
    /// Bookmarks: (title, page, y).
    pub outline: Vec<(String, usize, f32)>,
}

impl<'f> Composer<'f> {
    pub fn new(fonts: &'f Fonts) -> Self {
        Composer {
            fonts,
            pages: vec![Vec::new()],
            groups: vec![Group {
                kind: Kind::Root,
                children: Vec::new(),
            }],
            stack: vec![0],
            y: TOP,
            contents: 0,
            outline: Vec::new(),
        }
    }

    pub fn page(&self) -> usize {
        self.pages.len() - 1
    }

    /// Enters a new structure element under the current one.
    pub fn open(&mut self, kind: Kind) -> usize {
        let id = self.groups.len();
        self.groups.push(Group {
            kind,
            children: Vec::new(),
        });
        let parent = *self.stack.last().unwrap_or(&0);
        self.groups[parent].children.push(Child::Group(id));
        self.stack.push(id);
        id
    }

    pub fn close(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// Adds real content to the current structure element.
    pub fn content(&mut self, draw: Draw) {
        let id = self.contents;
        self.contents += 1;
        let parent = *self.stack.last().unwrap_or(&0);
        self.groups[parent].children.push(Child::Content(id));
        let page = self.page();
        self.pages[page].push(Item {
            draw,
            content: Some(id),
        });
    }

    /// Adds decoration (lines, empty boxes for handwriting) that screen readers skip.
    pub fn decoration(&mut self, draw: Draw) {
        let page = self.page();
        self.pages[page].push(Item {
            draw,
            content: None,
        });
    }

    /// Flows `text` into lines of at most `width` points at `x`, breaking pages between lines.
    /// Every character of the input ends up on some line (spaces at breaks excepted).
    pub fn paragraph(&mut self, text: &str, x: f32, width: f32, size: f32, bold: bool) {
        let leading = size * 1.35;
        for line in self.wrap(text, width, size, bold) {
            self.ensure(leading);
            self.y += leading;
            if !line.is_empty() {
                self.content(Draw::Text {
                    x,
                    y: self.y - size * 0.3,
                    size,
                    bold,
                    text: line,
                });
            }
        }
    }

    /// Greedy line breaking at spaces; words wider than a line are split between characters.
    /// Widths are summed in ems and compared with the line's width in ems, and lines are cut
    /// as slices of the input, so the only allocation is each line's own string.
    pub fn wrap(&self, text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
        let face = if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        };
        let limit = width / size;
        let space = face.glyph(' ').1;
        let em = |s: &str| s.chars().map(|c| face.glyph(c).1).sum::<f32>();
        let mut lines = Vec::new();
        for hard in text.split('\n') {
            let hard = hard.strip_suffix('\r').unwrap_or(hard);
            let tabbed;
            let hard = if hard.contains('\t') {
                tabbed = hard.replace('\t', "    ");
                tabbed.as_str()
            } else {
                hard
            };
            let mut line = String::with_capacity(hard.len().min(200));
            let mut line_w = 0.0;
            for mut word in hard.split(' ') {
                let mut w = em(word);
                if !line.is_empty() && line_w + space + w > limit {
                    lines.push(std::mem::replace(
                        &mut line,
                        String::with_capacity(hard.len().min(200)),
                    ));
                    line_w = 0.0;
                }
                // A word too long for any line is cut where it overflows.
                while w > limit {
                    let mut cw = 0.0;
                    let mut cut_at = word.len();
                    for (i, c) in word.char_indices() {
                        let g = face.glyph(c).1;
                        if cw + g > limit && i > 0 {
                            cut_at = i;
                            break;
                        }
                        cw += g;
                    }
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    lines.push(word[..cut_at].to_string());
                    word = &word[cut_at..];
                    w -= cw;
                    line_w = 0.0;
                }
                if !line.is_empty() {
                    line.push(' ');
                    line_w += space;
                }
                line.push_str(word);
                line_w += w;
            }
            lines.push(line);
        }
        lines
    }

    /// A horizontal writing line (for hand-filled answers), decoration only.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.decoration(Draw::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width: 0.5,
        });
    }
}
