#!/usr/bin/env python3
"""Build the report fonts committed under fonts/ (run once; the output is committed).

genpdf 0.2 needs single-face fonts with TrueType (glyf) outlines. Noto Sans CJK SC, as Debian
ships it (fonts-noto-cjk), is a CFF-outline collection. This script takes the SC face of the
Regular and Bold collections, keeps every character of GBK (which includes all of GB2312),
ASCII, Latin-1, general punctuation and CJK symbols, converts the cubic CFF outlines to
quadratic TrueType outlines, and writes one .ttf per weight.

Needs: python3 -m pip install fonttools
"""
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools import subset

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"
SC_INDEX = 2  # JP, KR, SC, TC, HK, ... -> index 2 is Simplified Chinese


def gbk_codepoints():
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    cps |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    cps |= set(range(0x2460, 0x24A0)) | set(range(0x2190, 0x2200)) | set(range(0x2500, 0x2580))
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                ch = bytes([lead, trail]).decode("gbk")
            except UnicodeDecodeError:
                continue
            cps.add(ord(ch))
    return cps


def to_truetype(font):
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = newTable("maxp")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(glyph_order)
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"


def build(weight, out):
    font = TTFont(SRC.format(weight), fontNumber=SC_INDEX)
    opts = subset.Options()
    opts.layout_features = ["kern", "vert", "vrt2"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=gbk_codepoints())
    sub.subset(font)
    to_truetype(font)
    font.save(out)
    print(out, len(font.getGlyphOrder()), "glyphs")


if __name__ == "__main__":
    outdir = sys.argv[1] if len(sys.argv) > 1 else "fonts"
    build("Regular", f"{outdir}/GreenbookSansSC-Regular.ttf")
    build("Bold", f"{outdir}/GreenbookSansSC-Bold.ttf")
