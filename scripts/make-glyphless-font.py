#!/usr/bin/env python3
"""Writes crates/greenbook-publish/src/archive/glyphless.ttf: the font of book.pdf's invisible text layer. Two glyphs, both
empty and one em wide: .notdef (0) and the glyph every CID is drawn with (1). Units per em 1000, ascent
880, descent 120, as crates/greenbook-publish/src/archive/book_pdf.rs states. A developer tool (pip install fonttools); the
product embeds the committed file. Also writes crates/greenbook-publish/src/archive/srgb.icc, LittleCMS's built-in sRGB profile
(via Pillow), for the PDF/A output intent."""
import os
import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "greenbook-publish", "src", "archive")
fb = FontBuilder(1000, isTTF=True)
fb.setupGlyphOrder([".notdef", "blank"])
fb.setupCharacterMap({0x20: "blank"})
empty = TTGlyphPen(None).glyph()
fb.setupGlyf({".notdef": empty, "blank": empty})
fb.setupHorizontalMetrics({".notdef": (1000, 0), "blank": (1000, 0)})
fb.setupHorizontalHeader(ascent=880, descent=-120)
fb.setupNameTable({"familyName": "GlyphLessFont", "styleName": "Regular",
                   "psName": "GlyphLessFont", "copyright": "Public domain (greenbook)"})
fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
fb.setupPost()
fb.save(os.path.join(root, "glyphless.ttf"))

from PIL import ImageCms
profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
with open(os.path.join(root, "srgb.icc"), "wb") as f:
    f.write(profile.tobytes())
print("wrote glyphless.ttf and srgb.icc", file=sys.stderr)
