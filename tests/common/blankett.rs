//! Blanketter made by the suite, one field of each kind a municipality's PDF has: text,
//! multi-line, comb, a check box whose on-state is `/Ja`, a radio group, a drop-down, names
//! with dots and brackets (as hybrid XFA forms name them), and the variants a filler must
//! handle: scripts, hybrid XFA, dynamic XFA, no fields.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    Fields,
    WithScripts,
    HybridXfa,
    DynamicXfa,
    Plain,
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn string(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Object {
    Object::Array(vec![x.into(), y.into(), (x + w).into(), (y + h).into()])
}

/// An appearance stream of a w×h box drawing `content`.
fn appearance(doc: &mut Document, w: f32, h: f32, content: &str) -> ObjectId {
    doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), w.into(), h.into()],
        },
        content.as_bytes().to_vec(),
    ))
}

/// The blanketts's layout: where each field's box is, for pixel checks (PDF points, origin
/// bottom left, A4).
pub const NAME_BOX: [f32; 4] = [150.0, 700.0, 300.0, 22.0];

pub fn make(variant: Variant) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let helv = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let labels = "BT /Helv 11 Tf 60 706 Td (Namn) Tj 0 -60 Td (Beskrivning) Tj 0 -90 Td (Personnummer) Tj \
                  0 -40 Td (Intyg bifogas) Tj 0 -40 Td (Boende) Tj 0 -40 Td (Kommun) Tj 0 -40 Td (Postnummer) Tj ET";
    let content = doc.add_object(Stream::new(Dictionary::new(), labels.as_bytes().to_vec()));
    let mut annots = Vec::new();
    let mut fields = Vec::new();

    if variant != Variant::Plain && variant != Variant::DynamicXfa {
        let da = string("/Helv 0 Tf 0 g");
        let page = Object::Reference(page_id);
        // sokande.namn: a parent with a text kid (a dotted name).
        let sokande = doc.new_object_id();
        let [x, y, w, h] = NAME_BOX;
        let mut namn = dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => string("namn"),
            "TU" => lopdf::text_string("Sökandens namn"), "Rect" => rect(x, y, w, h), "P" => page.clone(),
            "DA" => da.clone(), "Parent" => sokande, "F" => 4,
            "MK" => dictionary! { "BC" => vec![0.into()], "BG" => vec![1.into()] },
        };
        if variant == Variant::WithScripts {
            namn.set(
                "AA",
                dictionary! { "K" => dictionary! { "S" => "JavaScript", "JS" => string("event.value = event.value.toUpperCase();") } },
            );
        }
        let namn = doc.add_object(namn);
        doc.objects.insert(
            sokande,
            Object::Dictionary(
                dictionary! { "T" => string("sokande"), "Kids" => vec![namn.into()] },
            ),
        );
        annots.push(namn);
        fields.push(sokande);

        let beskrivning = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => string("beskrivning"),
            "Ff" => 1 << 12, "Rect" => rect(150.0, 590.0, 300.0, 70.0), "P" => page.clone(),
            "DA" => string("/Helv 10 Tf 0 g"), "F" => 4,
        });
        annots.push(beskrivning);
        fields.push(beskrivning);

        let pnr = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => string("personnummer"),
            "Ff" => 1 << 24, "MaxLen" => 10, "Rect" => rect(150.0, 550.0, 200.0, 22.0), "P" => page.clone(),
            "DA" => da.clone(), "F" => 4,
        });
        annots.push(pnr);
        fields.push(pnr);

        // A check box whose on-state is /Ja, not /Yes.
        let on = appearance(&mut doc, 14.0, 14.0, "q 0 g 2 2 10 10 re f Q");
        let off = appearance(&mut doc, 14.0, 14.0, "");
        let intyg = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Btn", "T" => string("intyg"),
            "Rect" => rect(150.0, 510.0, 14.0, 14.0), "P" => page.clone(), "F" => 4,
            "V" => "Off", "AS" => "Off",
            "AP" => dictionary! { "N" => dictionary! { "Ja" => on, "Off" => off } },
        });
        annots.push(intyg);
        fields.push(intyg);

        // A radio group of three.
        let boende = doc.new_object_id();
        let mut kids = Vec::new();
        for (i, state) in ["Hyresratt", "Bostadsratt", "Villa"]
            .into_iter()
            .enumerate()
        {
            let on = appearance(&mut doc, 14.0, 14.0, "q 0 g 4 4 6 6 re f Q");
            let off = appearance(&mut doc, 14.0, 14.0, "");
            let mut n = Dictionary::new();
            n.set(state, Object::Reference(on));
            n.set("Off", Object::Reference(off));
            let kid = doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Widget", "Parent" => boende,
                "Rect" => rect(150.0 + 80.0 * i as f32, 470.0, 14.0, 14.0), "P" => page.clone(),
                "F" => 4, "AS" => "Off", "AP" => dictionary! { "N" => n },
            });
            annots.push(kid);
            kids.push(Object::Reference(kid));
        }
        doc.objects.insert(
            boende,
            Object::Dictionary(dictionary! {
                "FT" => "Btn", "Ff" => (1 << 15) | (1 << 14), "T" => string("boende"), "Kids" => kids, "V" => "Off",
            }),
        );
        fields.push(boende);

        let kommun = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Ch", "T" => string("kommun"),
            "Ff" => 1 << 17, "Rect" => rect(150.0, 430.0, 200.0, 22.0), "P" => page.clone(),
            "DA" => da.clone(), "F" => 4,
            "Opt" => vec![
                Object::Array(vec![string("1885"), string("Lindesberg")]),
                Object::Array(vec![string("1884"), string("Nora")]),
            ],
        });
        annots.push(kommun);
        fields.push(kommun);

        // form1[0].sida1[0].postnr[0]: names as a hybrid XFA form gives them.
        let form1 = doc.new_object_id();
        let sida1 = doc.new_object_id();
        let postnr = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Tx", "T" => string("postnr[0]"),
            "Rect" => rect(150.0, 390.0, 120.0, 22.0), "P" => page.clone(), "DA" => da,
            "Parent" => sida1, "F" => 4,
        });
        doc.objects.insert(
            sida1,
            Object::Dictionary(dictionary! { "T" => string("sida1[0]"), "Parent" => form1, "Kids" => vec![postnr.into()] }),
        );
        doc.objects.insert(
            form1,
            Object::Dictionary(
                dictionary! { "T" => string("form1[0]"), "Kids" => vec![sida1.into()] },
            ),
        );
        annots.push(postnr);
        fields.push(form1);
    }

    let mut page = dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "Helv" => helv } },
    };
    if !annots.is_empty() {
        page.set(
            "Annots",
            annots
                .iter()
                .map(|a| Object::Reference(*a))
                .collect::<Vec<_>>(),
        );
    }
    doc.objects.insert(page_id, Object::Dictionary(page));
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
        ),
    );
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if variant != Variant::Plain {
        let mut form = dictionary! {
            "Fields" => fields.iter().map(|f| Object::Reference(*f)).collect::<Vec<_>>(),
            "DA" => string("/Helv 0 Tf 0 g"),
            "DR" => dictionary! { "Font" => dictionary! { "Helv" => helv } },
            "NeedAppearances" => true,
        };
        if matches!(variant, Variant::HybridXfa | Variant::DynamicXfa) {
            let xdp = doc.add_object(Stream::new(
                Dictionary::new(),
                b"<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template/></xdp:xdp>".to_vec(),
            ));
            form.set("XFA", Object::Reference(xdp));
        }
        let form = doc.add_object(form);
        catalog.set("AcroForm", form);
        if variant == Variant::DynamicXfa {
            catalog.set("NeedsRendering", true);
        }
    }
    if variant == Variant::WithScripts {
        let js = doc
            .add_object(dictionary! { "S" => "JavaScript", "JS" => string("app.alert('Hej');") });
        catalog.set("OpenAction", js);
        let names = doc.add_object(dictionary! { "Names" => vec![string("hej"), js.into()] });
        catalog.set("Names", dictionary! { "JavaScript" => names });
    }
    let catalog = doc.add_object(catalog);
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
