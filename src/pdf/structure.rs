//! The structure tree (PDF/UA): which element each piece of page content belongs to, and the
//! parent tree that leads back from a page's marked content to its element.

use pdf_writer::types::{ListNumbering, StructRole, TableHeaderScope};
use pdf_writer::{Chunk, Finish, Ref, TextStr};

use super::layout::{Child, Group, Kind};

/// Where each piece of tagged content ended up: its page and its number on that page.
#[derive(Clone, Copy, Default)]
pub(crate) struct Placed {
    pub page: usize,
    pub mcid: usize,
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
pub(crate) fn write_structure(
    chunk: &mut Chunk,
    groups: &[Group],
    placed: &[Placed],
    page_refs: &[Ref],
    root: Ref,
    mut next: impl FnMut() -> Ref,
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
    let elem: Vec<Option<Ref>> = kept.iter().map(|k| k.then(&mut next)).collect();
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
    let parent_tree: Vec<Ref> = per_page.iter().map(|_| next()).collect();
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
