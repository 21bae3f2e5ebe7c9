//! Typesets the excerpt into page images the way the printed book looks (210×285 mm at 300 DPI, Song body
//! at 10.5 pt, bold sans headings, running header, folio), then hands them to [`super::degrade`].
//!
//! Everything is deterministic: same text, fonts, seed → same bytes.

use std::path::PathBuf;

use ab_glyph::{Font, point};

use crate::SynthError;
use crate::degrade::{self, Canvas, Rng};
use crate::excerpt::{Block, Document, PageKind, Section, Style};
use crate::typefaces::*;
pub use crate::typefaces::{DEFAULT_FONT_DIR, FontSet};

pub const DPI: f32 = 300.0;
pub const PAGE_W: usize = 2480; // 210 mm
pub const PAGE_H: usize = 3366; // 285 mm
const MM: f32 = DPI / 25.4;
pub(crate) const PT: f32 = DPI / 72.0;
const MARGIN_X: f32 = 19.0 * MM;
const TOP: f32 = 23.0 * MM;
const BOTTOM: f32 = PAGE_H as f32 - 21.0 * MM;
const TEXT_W: f32 = PAGE_W as f32 - 2.0 * MARGIN_X;
const BOOK_TITLE: &str = "新时代绿色社区创建 上海案例精选";

/// Characters a line may not start with, and may not end with (Chinese line-breaking rules).
const NO_START: &str = "，。、；：？！）”’》」』】〉…·,.;:?!)%％—";
const NO_END: &str = "（“‘《「『【〈(";

/// One drawing instruction on a page.
#[derive(Debug, Clone)]
enum Op {
    Glyphs {
        face: Face,
        px: f32,
        baseline: f32,
        items: Vec<(f32, char)>,
    },
    Photo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        seed: u64,
    },
}

#[derive(Debug, Clone, Default)]
struct PageLayout {
    ops: Vec<Op>,
    truth: Vec<String>,
}

/// A rendered page: its image, its ground-truth text and its manifest fields.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub label: String,
    pub kind: PageKind,
    pub district: Option<String>,
    pub contents_title: Option<String>,
    pub png: Vec<u8>,
    pub truth: String,
}

/// A page's layout before rasterisation (cheap to compute; rasterising is the expensive part).
#[derive(Debug, Clone)]
pub struct PagePlan {
    pub label: String,
    pub kind: PageKind,
    pub district: Option<String>,
    pub contents_title: Option<String>,
    layout: PageLayout,
}

impl PagePlan {
    pub fn truth(&self) -> String {
        let mut t = self.layout.truth.join("\n");
        t.push('\n');
        t
    }
}

/// Splits text into line-breaking units: one CJK character each, runs of Latin letters/digits together,
/// spaces on their own (a space is where a line may break and is dropped at a line start).
fn units(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut latin = String::new();
    for c in text.chars() {
        if c.is_ascii_graphic() && !"()（）".contains(c) {
            latin.push(c);
            continue;
        }
        if !latin.is_empty() {
            out.push(std::mem::take(&mut latin));
        }
        out.push(c.to_string());
    }
    if !latin.is_empty() {
        out.push(latin);
    }
    out
}

struct Line {
    units: Vec<(String, f32)>,
    last: bool,
}

impl Line {
    fn width(&self) -> f32 {
        self.units.iter().map(|u| u.1).sum()
    }
    fn text(&self) -> String {
        self.units.iter().map(|u| u.0.as_str()).collect()
    }
}

struct Typesetter<'a> {
    fonts: &'a FontSet,
    pages: Vec<PageLayout>,
    y: f32,
    fig_scale: f32,
}

impl<'a> Typesetter<'a> {
    fn new(fonts: &'a FontSet, fig_scale: f32) -> Self {
        Typesetter {
            fonts,
            pages: vec![PageLayout::default()],
            y: TOP,
            fig_scale,
        }
    }

    fn page(&mut self) -> &mut PageLayout {
        self.pages.last_mut().expect("typesetter always has a page")
    }

    fn new_page(&mut self) {
        self.pages.push(PageLayout::default());
        self.y = TOP;
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn measure(&self, f: TextFont, s: &str) -> f32 {
        s.chars().map(|c| self.fonts.advance(f.face, f.px, c)).sum()
    }

    /// Greedy line breaking with the Chinese rules: a unit in NO_START never starts a line and one in
    /// NO_END never ends it (the previous unit is carried over instead).
    fn wrap(&self, f: TextFont, text: &str, width: f32, indent: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut cur: Vec<(String, f32)> = Vec::new();
        let mut avail = width - indent;
        for u in units(text) {
            let mut w = self.measure(f, &u);
            if u == " " && cur.is_empty() && !lines.is_empty() {
                continue;
            }
            if w > width {
                w = width; // an overlong Latin run is squeezed rather than lost
            }
            let used: f32 = cur.iter().map(|x| x.1).sum();
            if used + w > avail + 0.5 && !cur.is_empty() {
                let mut carry: Vec<(String, f32)> = Vec::new();
                let starts_bad = |s: &str| s.chars().next().is_some_and(|c| NO_START.contains(c));
                let ends_bad = |s: &str| s.chars().last().is_some_and(|c| NO_END.contains(c));
                while cur.len() > 1 && starts_bad(carry.first().map_or(&u, |c| &c.0)) {
                    carry.insert(0, cur.pop().expect("len > 1"));
                }
                while cur.len() > 1 && cur.last().is_some_and(|l| ends_bad(&l.0)) {
                    carry.insert(0, cur.pop().expect("len > 1"));
                }
                while cur.last().is_some_and(|l| l.0 == " ") {
                    cur.pop();
                }
                lines.push(Line {
                    units: std::mem::take(&mut cur),
                    last: false,
                });
                carry.retain(|c| c.0 != " " || !cur.is_empty());
                cur = carry;
                avail = width;
                if u == " " && cur.is_empty() {
                    continue;
                }
            }
            cur.push((u, w));
        }
        if !cur.is_empty() {
            lines.push(Line {
                units: cur,
                last: true,
            });
        }
        if let Some(l) = lines.last_mut() {
            l.last = true;
        }
        lines
    }

    /// Places one line box at the current y; `x` is its left edge; `justify` spreads it to `width`.
    fn place(&mut self, f: TextFont, line: &Line, x: f32, width: f32, justify: bool) {
        let h = f.px * f.leading;
        self.ensure(h);
        let baseline = self.y + f.px * 0.88 + (f.leading - 1.0) * f.px / 2.0;
        let natural = line.width();
        let gaps = line.units.len().saturating_sub(1) as f32;
        let extra = if justify && gaps > 0.0 && natural < width {
            (width - natural) / gaps
        } else {
            0.0
        };
        let mut items = Vec::new();
        let mut cx = x;
        for (u, w) in &line.units {
            let squeeze = w / self.measure(f, u).max(1.0);
            for c in u.chars() {
                items.push((cx, c));
                cx += self.fonts.advance(f.face, f.px, c) * squeeze.min(1.0);
            }
            cx += extra;
        }
        let text = line.text();
        let page = self.page();
        page.ops.push(Op::Glyphs {
            face: f.face,
            px: f.px,
            baseline,
            items,
        });
        page.truth.push(text.trim().to_string());
        self.y += h;
    }

    fn paragraph(&mut self, f: TextFont, text: &str, indent_em: f32, justify: bool) {
        let indent = indent_em * f.px;
        let lines = self.wrap(f, text, TEXT_W, indent);
        for (i, line) in lines.iter().enumerate() {
            let ind = if i == 0 { indent } else { 0.0 };
            self.place(f, line, MARGIN_X + ind, TEXT_W - ind, justify && !line.last);
        }
    }

    fn centered(&mut self, f: TextFont, text: &str) {
        for line in self.wrap(f, text, TEXT_W, 0.0) {
            let x = MARGIN_X + (TEXT_W - line.width()) / 2.0;
            self.place(f, &line, x, TEXT_W, false);
        }
    }

    fn figure(&mut self, captions: &[String], seed: u64) {
        let n = captions.len().max(1) as f32;
        let gap = 6.0 * MM;
        let w = if n > 1.0 {
            (TEXT_W - gap) / 2.0
        } else {
            TEXT_W * 0.62
        } * self.fig_scale;
        let h = if n > 1.0 { w * 0.72 } else { w * 0.62 };
        let cap_h = CAPTION.px * CAPTION.leading;
        self.ensure(h + cap_h + 3.0 * MM);
        let total_w = w * n + gap * (n - 1.0);
        let x0 = MARGIN_X + (TEXT_W - total_w) / 2.0;
        let top = self.y + 2.0 * MM;
        let baseline = top + h + 1.5 * MM + CAPTION.px * 0.88 + 0.3 * CAPTION.px;
        let mut truth = Vec::new();
        for (i, cap) in captions.iter().enumerate() {
            let x = x0 + i as f32 * (w + gap);
            let salt = seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            self.page().ops.push(Op::Photo {
                x,
                y: top,
                w,
                h,
                seed: salt,
            });
            let cw = self.measure(CAPTION, cap);
            let op = self.run(CAPTION, cap, x + (w - cw) / 2.0, baseline);
            self.page().ops.push(op);
            truth.push(cap.trim().to_string());
        }
        self.page().truth.push(truth.join(" "));
        self.y = top + h + 1.5 * MM + cap_h + 3.0 * MM;
    }

    fn picture(&mut self, seed: u64) {
        let w = TEXT_W;
        let h = 55.0 * MM;
        self.ensure(h);
        let y = self.y;
        self.page().ops.push(Op::Photo {
            x: MARGIN_X,
            y,
            w,
            h,
            seed,
        });
        self.y += h;
    }

    fn block(&mut self, b: &Block, seed: u64) {
        match b {
            Block::Space(mm) => self.y += mm * MM,
            Block::Centered { text, style } => self.centered(style_font(*style), text),
            Block::Plain { text } => self.paragraph(style_font(Style::Body), text, 0.0, false),
            Block::Para { text } => self.paragraph(BODY, text, 2.0, true),
            Block::Section { text } => {
                self.ensure(SECTION.px * SECTION.leading + BODY.px * BODY.leading * 2.0);
                self.y += 2.0 * MM;
                self.paragraph(SECTION, text, 0.0, false);
            }
            Block::SubHeading { text, level } => {
                let f = if *level == 1 { SUB1 } else { SUB2 };
                self.ensure(f.px * f.leading + BODY.px * BODY.leading * 2.0);
                self.paragraph(f, text, if *level == 1 { 0.0 } else { 2.0 }, false);
            }
            Block::Figure { captions } => self.figure(captions, seed),
            Block::Picture { .. } => self.picture(seed),
            Block::TocChapter { number, name } => {
                self.ensure(
                    TOC_CHAPTER.px * TOC_CHAPTER.leading + TOC_ENTRY.px * TOC_ENTRY.leading,
                );
                let line = self.wrap(TOC_CHAPTER, &format!("{number} {name}"), TEXT_W, 0.0);
                for l in line {
                    self.place(
                        TOC_CHAPTER,
                        &l,
                        MARGIN_X + 4.0 * TOC_ENTRY.px,
                        TEXT_W,
                        false,
                    );
                }
            }
            Block::TocEntry { page, title } => {
                let text = format!("{page:03} {title}");
                for l in self.wrap(TOC_ENTRY, &text, TEXT_W - 6.0 * TOC_ENTRY.px, 0.0) {
                    self.place(TOC_ENTRY, &l, MARGIN_X + 6.0 * TOC_ENTRY.px, TEXT_W, false);
                }
            }
            Block::CaseTitle { text } => {
                self.y += 6.0 * MM;
                self.centered(CASE_TITLE, text);
            }
            Block::Subtitle { text } => {
                self.centered(SUBTITLE, text);
                self.y += 3.0 * MM;
            }
        }
    }

    /// Adds the running header (verso: book title left; recto: chapter right) and the folio.
    fn furniture(&mut self, idx: usize, folio: u32, chapter: &str) {
        let (header, right) = if folio.is_multiple_of(2) {
            (BOOK_TITLE, false)
        } else {
            (chapter, true)
        };
        let hw = self.measure(RUNNING, header);
        let x = if right {
            MARGIN_X + TEXT_W - hw
        } else {
            MARGIN_X
        };
        let head = self.run(RUNNING, header, x, 15.0 * MM);
        let label = format!("{folio:03}");
        let x = (PAGE_W as f32 - self.measure(RUNNING, &label)) / 2.0;
        let foot = self.run(RUNNING, &label, x, PAGE_H as f32 - 13.0 * MM);
        let page = &mut self.pages[idx];
        page.ops.push(head);
        page.ops.push(foot);
        page.truth.insert(0, header.to_string());
        page.truth.push(label);
    }

    /// A run of glyphs at natural advances from `x` on `baseline`.
    fn run(&self, f: TextFont, text: &str, x: f32, baseline: f32) -> Op {
        let mut cx = x;
        let items = text
            .chars()
            .map(|c| {
                let at = (cx, c);
                cx += self.fonts.advance(f.face, f.px, c);
                at
            })
            .collect();
        Op::Glyphs {
            face: f.face,
            px: f.px,
            baseline,
            items,
        }
    }
}

/// FNV-1a of a label: a page's own seed.
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// Lays out one section; case sections shrink their figures until they fit their printed pages.
fn layout_section(fonts: &FontSet, s: &Section, seed: u64) -> Vec<PageLayout> {
    let mut scale = 1.0;
    loop {
        let mut t = Typesetter::new(fonts, scale);
        for (i, b) in s.blocks.iter().enumerate() {
            t.block(b, seed ^ fnv(&format!("{:?}{i}", s.first_page)));
        }
        let fits = t.pages.len() as u32 <= s.max_pages;
        if fits || scale < 0.3 || s.kind != PageKind::Case {
            if let Some(first) = s.first_page.filter(|_| s.kind == PageKind::Case) {
                let chapter = s
                    .district
                    .as_deref()
                    .map(|d| format!("{d}优秀示范案例"))
                    .unwrap_or_default();
                for i in 0..t.pages.len() {
                    t.furniture(i, first + i as u32, &chapter);
                }
            }
            return t.pages;
        }
        scale -= 0.05;
    }
}

/// Lays out the whole document into labelled page plans (`f01`…, then `p<printed page>`).
pub fn plan(doc: &Document, fonts: &FontSet, seed: u64) -> Vec<PagePlan> {
    let mut out = Vec::new();
    let mut front = 0;
    for s in &doc.sections {
        for (i, layout) in layout_section(fonts, s, seed).into_iter().enumerate() {
            let label = match s.first_page {
                Some(p) => format!("p{:03}", p + i as u32),
                None => {
                    front += 1;
                    format!("f{front:02}")
                }
            };
            out.push(PagePlan {
                label,
                kind: s.kind,
                district: s.district.clone(),
                contents_title: s.contents_title.clone(),
                layout,
            });
        }
    }
    out
}

/// Rasterises a plan and, unless `clean`, degrades it like a flatbed scan. Returns PNG bytes.
pub fn rasterize(
    p: &PagePlan,
    fonts: &FontSet,
    seed: u64,
    clean: bool,
) -> Result<Vec<u8>, SynthError> {
    let mut canvas = Canvas::new(PAGE_W, PAGE_H);
    for op in &p.layout.ops {
        match op {
            Op::Glyphs {
                face,
                px,
                baseline,
                items,
            } => {
                let font = fonts.face(*face);
                let scale = fonts.scale(*face, *px);
                for &(x, c) in items {
                    let g = font
                        .glyph_id(c)
                        .with_scale_and_position(scale, point(x, *baseline));
                    if let Some(o) = font.outline_glyph(g) {
                        let b = o.px_bounds();
                        o.draw(|gx, gy, cov| {
                            canvas.ink(b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64, cov)
                        });
                    }
                }
            }
            Op::Photo { x, y, w, h, seed } => canvas.photo(*x, *y, *w, *h, &mut Rng::new(*seed)),
        }
    }
    let page_seed = seed ^ fnv(&p.label);
    let img = if clean {
        canvas.to_gray()
    } else {
        degrade::scan(canvas, page_seed)
    };
    degrade::encode_png(&img).map_err(crate::encode_err(&p.label))
}

/// Renders paragraphs of any text as one scanned front-matter page (PNG bytes) and its truth: for
/// test pages (another language, say) and synthetic material.
pub fn text_page(
    fonts: &FontSet,
    paragraphs: &[&str],
    seed: u64,
) -> Result<(Vec<u8>, String), SynthError> {
    let section = crate::excerpt::Section {
        kind: PageKind::Front,
        first_page: None,
        max_pages: 1,
        district: None,
        contents_title: None,
        blocks: paragraphs
            .iter()
            .map(|t| crate::excerpt::Block::Para {
                text: t.to_string(),
            })
            .collect(),
    };
    let doc = Document {
        sections: vec![section],
        contents: Vec::new(),
    };
    let plans = plan(&doc, fonts, seed);
    let first = plans.first().ok_or_else(|| SynthError::Encode {
        path: PathBuf::from("text page"),
        reason: "nothing to render".into(),
    })?;
    Ok((rasterize(first, fonts, seed, false)?, first.truth()))
}

/// Renders every page of `doc` (plans, then rasterises in parallel).
pub fn render(
    doc: &Document,
    fonts: &FontSet,
    seed: u64,
    clean: bool,
    only: Option<&str>,
) -> Result<Vec<RenderedPage>, SynthError> {
    use rayon::prelude::*;
    let all = plan(doc, fonts, seed);
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = all.iter().find(|p| !seen.insert(p.label.clone())) {
        let reason = "a case does not fit the pages its contents entry gives it".to_string();
        return Err(SynthError::Encode {
            path: PathBuf::from(&dup.label),
            reason,
        });
    }
    let plans: Vec<PagePlan> = all
        .into_iter()
        .filter(|p| only.is_none_or(|o| o == p.label))
        .collect();
    plans
        .par_iter()
        .map(|p| {
            Ok(RenderedPage {
                label: p.label.clone(),
                kind: p.kind,
                district: p.district.clone(),
                contents_title: p.contents_title.clone(),
                png: rasterize(p, fonts, seed, clean)?,
                truth: p.truth(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_latin_runs_whole() {
        assert_eq!(units("于2006年6月"), vec!["于", "2006", "年", "6", "月"]);
        assert_eq!(units("a b"), vec!["a", " ", "b"]);
    }
}
