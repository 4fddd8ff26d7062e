#!/usr/bin/python3
"""Writes tests/fixtures/blanketter/libreoffice-form.pdf: a blankett with form fields as
LibreOffice Writer exports it, the way many municipalities make theirs.

LibreOffice runs headless and is driven through its UNO API (Debian's libreoffice-writer and
python3-uno; run with Debian's /usr/bin/python3, which has the uno module): a Writer document
gets form controls (a name, a personnummer, a multi-line text, a check box whose value is
"Ja", three radio buttons in one group, a drop-down) and is exported to PDF with form fields,
each control becoming an AcroForm field. The PDF is committed (CI does not install
LibreOffice); run this again to remake it.
"""
import os
import subprocess
import tempfile
import time

import uno
from com.sun.star.awt import Point, Size
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.abspath(os.path.join(here, "..", "tests", "fixtures", "blanketter", "libreoffice-form.pdf"))
    with tempfile.TemporaryDirectory() as tmp:
        office = subprocess.Popen([
            "soffice", "--headless", "--invisible", "--norestore",
            f"-env:UserInstallation=file://{tmp}/profile",
            "--accept=pipe,name=etjanst-lo;urp;",
        ])
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext(
                "com.sun.star.bridge.UnoUrlResolver", local)
            ctx = None
            for _ in range(120):
                try:
                    ctx = resolver.resolve("uno:pipe,name=etjanst-lo;urp;StarOffice.ComponentContext")
                    break
                except Exception:
                    time.sleep(0.5)
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
            text = doc.Text
            text.insertString(text.getEnd(), "Ansökan om bidrag (gjord i LibreOffice)", False)
            page = doc.DrawPage
            form = doc.createInstance("com.sun.star.form.component.Form")
            form.Name = "Blankett"
            page.Forms.insertByName("Blankett", form)
            y = 3000

            def add(kind, name, w, h, **props):
                nonlocal y
                model = doc.createInstance(f"com.sun.star.form.component.{kind}")
                model.Name = name
                for k, v in props.items():
                    setattr(model, k, v)
                form.insertByIndex(form.Count, model)
                shape = doc.createInstance("com.sun.star.drawing.ControlShape")
                shape.AnchorType = uno.Enum("com.sun.star.text.TextContentAnchorType", "AT_PAGE")
                shape.Size = Size(w, h)
                shape.Position = Point(2500, y)
                shape.Control = model
                page.add(shape)
                y += h + 500

            add("TextField", "Namn", 9000, 700)
            add("TextField", "Personnummer", 6000, 700)
            add("TextField", "Beskrivning", 14000, 2500, MultiLine=True)
            add("CheckBox", "Intyg", 7000, 700, Label="Intyg bifogas", RefValue="Ja")
            for label, value in [("Hyresrätt", "Hyresratt"), ("Bostadsrätt", "Bostadsratt"), ("Villa", "Villa")]:
                add("RadioButton", "Boende", 5000, 700, Label=label, RefValue=value)
            add("ListBox", "Kommun", 6000, 700, Dropdown=True, StringItemList=("Lindesberg", "Nora"))
            filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("ExportFormFields", True),))
            uno.invoke(doc, "storeToURL", (uno.systemPathToFileUrl(out), (
                prop("FilterName", "writer_pdf_Export"), prop("FilterData", filter_data))))
            doc.close(True)
        finally:
            office.terminate()
            office.wait()
    print(out)


if __name__ == "__main__":
    main()
