#!/usr/bin/env python3
"""Writes the print-only blanketter of the embedded catalogue (forms/blanketter/*.pdf).

They stand in for the PDFs a municipality publishes for services that have no e-service:
one A4 page with the form's title, its questions as labelled writing lines, and a signature
block. Plain PDF 1.4 with the standard Helvetica font in WinAnsi encoding, so no font file
is needed. Run again after changing a form below; the output is deterministic.
"""
import os

FORMS = {
    "bostadsanpassning.pdf": (
        "Ansökan om bostadsanpassningsbidrag",
        ["Sökandens namn", "Personnummer", "Adress", "Postnummer och ort", "Telefon",
         "Fastighetsbeteckning", "Vilka åtgärder söker du bidrag för?", "",
         "Intyg från arbetsterapeut bifogas (ja/nej)"],
    ),
    "fardtjanst.pdf": (
        "Ansökan om färdtjänst och riksfärdtjänst",
        ["Sökandens namn", "Personnummer", "Adress", "Postnummer och ort", "Telefon",
         "Funktionsnedsättning och hur länge den väntas vara", "",
         "Hjälpmedel (rullstol, rollator, ledarhund)", "Behöver du ledsagare? (ja/nej)"],
    ),
    "skolskjuts.pdf": (
        "Ansökan om skolskjuts vid växelvis boende",
        ["Elevens namn", "Elevens personnummer", "Skola och årskurs",
         "Vårdnadshavare 1: namn och adress", "Vårdnadshavare 2: namn och adress",
         "Schema för boendet (vilka veckor hos vem)", ""],
    ),
    "medborgarforslag.pdf": (
        "Medborgarförslag",
        ["Förslagets rubrik", "Beskriv ditt förslag", "", "", "",
         "Namn", "Adress", "Postnummer och ort", "Telefon eller e-post"],
    ),
}

ADDRESS = "Skickas till: Lindesbergs kommun, 711 80 Lindesberg"


def text(x, y, size, s):
    enc = s.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"BT /F1 %d Tf %d %d Td (" % (size, x, y) + enc + b") Tj ET\n"


def page(title, questions):
    out = text(56, 780, 18, title)
    out += text(56, 760, 9, "Lindesbergs kommun - blankett att fylla i för hand")
    y = 720
    for q in questions:
        if q:
            out += text(56, y, 10, q)
        out += b"0.5 w 56 %d m 539 %d l S\n" % (y - 16, y - 16)
        y -= 44
    y -= 10
    for label in ["Ort och datum", "Namnteckning", "Namnförtydligande"]:
        out += b"0.5 w 56 %d m 300 %d l S\n" % (y, y)
        out += text(56, y - 12, 8, label)
        y -= 46
    out += text(56, 50, 9, ADDRESS)
    return out


def pdf(content):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "forms", "blanketter")
    for name, (title, questions) in FORMS.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(pdf(page(title, questions)))


if __name__ == "__main__":
    main()
