#!/usr/bin/env python3
"""Writes the print-only blanketter of the embedded catalogue (forms/blanketter/*.pdf).

They stand in for the PDFs a municipality publishes for services that have no e-service:
one A4 page with the form's title, its questions as labelled writing lines, and a signature
block. Plain PDF 1.4 with the standard Helvetica font in WinAnsi encoding, so no font file
is needed. Run again after changing a form below; the output is deterministic.

All but the medborgarförslag are fillable, as many municipalities' PDFs are: each question
has a form field over its writing line (several lines: a multi-line field), a "(ja/nej)"
question a check box whose on-state is /Ja, and the signature block fields for place and date
and the printed name (the signature itself stays handwritten). The medborgarförslag stays a
print-only blankett, the other kind a municipality publishes.
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

PRINT_ONLY = {"medborgarforslag.pdf"}


def slug(s):
    s = s.lower().replace("å", "a").replace("ä", "a").replace("ö", "o")
    s = s.replace("(ja/nej)", "")
    out = "".join(c if c.isalnum() else "_" for c in s)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def utf16(s):
    return b"<FEFF" + s.encode("utf-16-be").hex().upper().encode() + b">"


def answers(questions):
    """Each question with the rows it takes (a question followed by "" takes several) and the
    baseline of its label: the paper's layout, which the form fields follow."""
    y = 720
    i = 0
    while i < len(questions):
        rows = 1
        while i + rows < len(questions) and questions[i + rows] == "":
            rows += 1
        yield questions[i], rows, y
        y -= 44 * rows
        i += rows


def fields(questions):
    """The form fields of a page: (name, label, kind, rect) with kind "text", "multi" or "check"."""
    out = []
    for q, rows, y in answers(questions):
        if q.endswith("(ja/nej)"):
            label = q.replace("(ja/nej)", "").strip()
            out.append((slug(q), label, "check", (500, y - 15, 514, y - 1)))
        elif q:
            bottom = y - 44 * (rows - 1) - 17
            out.append((slug(q), q, "multi" if rows > 1 else "text", (56, bottom, 539, y - 3)))
    y -= 44 * rows
    y -= 10
    for label in ["Ort och datum", None, "Namnförtydligande"]:
        if label:
            out.append((slug(label), label, "text", (56, y + 1, 300, y + 16)))
        y -= 46
    return out


def text(x, y, size, s):
    enc = s.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"BT /F1 %d Tf %d %d Td (" % (size, x, y) + enc + b") Tj ET\n"


def page(title, questions):
    out = text(56, 780, 18, title)
    out += text(56, 760, 9, "Lindesbergs kommun - blankett att fylla i för hand")
    y = 720
    for q, rows, y in answers(questions):
        out += text(56, y, 10, q)
        if rows == 1:
            out += b"0.5 w 56 %d m 539 %d l S\n" % (y - 16, y - 16)
        else:
            # A longer answer gets a box (the form field fills the same box).
            bottom = y - 44 * (rows - 1) - 17
            out += b"0.5 w 56 %d 483 %d re S\n" % (bottom, y - 3 - bottom)
    y -= 44 * rows
    y -= 10
    for label in ["Ort och datum", "Namnteckning", "Namnförtydligande"]:
        out += b"0.5 w 56 %d m 300 %d l S\n" % (y, y)
        out += text(56, y - 12, 8, label)
        y -= 46
    out += text(56, 50, 9, ADDRESS)
    return out


def stream(content, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def pdf(content, form=()):
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        stream(content),
    ]
    if form:
        # A check box's two looks: a cross when ticked, nothing when not.
        objs.append(stream(b"q 0 G 1.2 w 3 3 m 11 11 l 3 11 m 11 3 l S Q",
                           b"/Type /XObject /Subtype /Form /BBox [0 0 14 14] "))
        on = len(objs)
        objs.append(stream(b"", b"/Type /XObject /Subtype /Form /BBox [0 0 14 14] "))
        off = len(objs)
        refs = []
        for name, label, kind, (x0, y0, x1, y1) in form:
            common = (b"/Type /Annot /Subtype /Widget /F 4 /P 3 0 R /T (%s) /TU %s "
                      b"/Rect [%d %d %d %d] " % (name.encode(), utf16(label), x0, y0, x1, y1))
            if kind == "check":
                objs.append(b"<< " + common + b"/FT /Btn /V /Off /AS /Off /MK << /BC [0] >> "
                            b"/AP << /N << /Ja %d 0 R /Off %d 0 R >> >> >>" % (on, off))
            else:
                flags = b"/Ff 4096 " if kind == "multi" else b""
                objs.append(b"<< " + common + b"/FT /Tx " + flags + b"/DA (/Helv 0 Tf 0 g) >>")
            refs.append(b"%d 0 R" % len(objs))
        objs[2] = objs[2][:-2] + b"/Annots [" + b" ".join(refs) + b"] >>"
        objs.append(b"<< /Fields [" + b" ".join(refs) + b"] /DA (/Helv 0 Tf 0 g) "
                    b"/DR << /Font << /Helv 4 0 R >> >> >>")
        objs[0] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm %d 0 R >>" % len(objs)
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
            form = () if name in PRINT_ONLY else fields(questions)
            f.write(pdf(page(title, questions), form))


if __name__ == "__main__":
    main()
