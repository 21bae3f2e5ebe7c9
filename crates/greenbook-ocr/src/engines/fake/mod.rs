//! `fake`: an engine for the tests, built only with the `fake-engine` feature (which the workspace's
//! tests turn on). It needs no model: it finds a page's lines by their ink, as rows of dark pixels,
//! and reads each as the text `--fake-text` gives. Tests of the command line (flags, exit codes,
//! hostile and broken input, sharding and merging) run through the real page loop with it, fast and
//! without PP-OCR's models.

use std::sync::Arc;

use clap::{Arg, ArgMatches, Command};
use image::GrayImage;

use crate::engines::tesseract::TesseractConfig;
use crate::engines::tesseract::osd::Osd;
use crate::engines::{About, Configured, EngineSpec, Registered};
use crate::lines::recognized;
use crate::{Backend, Engine, LineBox, OcrError, Recognized, Word};

/// The `fake` engine, as the registry lists it.
pub struct Spec;

impl EngineSpec for Spec {
    fn about(&self) -> &'static About {
        &About {
            name: "fake",
            about: "for tests: reads every line of ink as the text --fake-text gives; needs no model",
            languages: "none: it reads no script",
            orientation: false,
            deskew: false,
        }
    }
    fn add_options(&self, cmd: Command) -> Command {
        cmd.arg(
            Arg::new("fake-text")
                .long("fake-text")
                .value_name("TEXT")
                .default_value("社区概况")
                .help("What the fake engine reads on every line"),
        )
    }
    fn check_options(
        &self,
        flags: &ArgMatches,
        _tesseract: &TesseractConfig,
    ) -> Result<Arc<dyn Configured>, OcrError> {
        let text = flags
            .get_one::<String>("fake-text")
            .map_or("社区概况", String::as_str);
        if text.trim().is_empty() {
            return Err(OcrError::Options("--fake-text: give some text".into()));
        }
        Ok(Arc::new(Fake {
            text: text.to_string(),
        }))
    }
}

/// The fake engine's settings: what it reads on every line.
#[derive(Debug, Clone)]
pub struct Fake {
    pub text: String,
}

impl Registered for Fake {
    fn spec(&self) -> &'static dyn EngineSpec {
        &Spec
    }
}

impl Backend for Fake {
    type Engine = Fake;
    type Detector = Osd;

    fn engine(&self) -> Result<Fake, OcrError> {
        Ok(self.clone())
    }
    fn detector(&self) -> Option<Osd> {
        None
    }
    fn lang(&self) -> &str {
        "none"
    }
}

impl Engine for Fake {
    fn id(&self) -> &str {
        "fake 1"
    }

    fn recognize(&mut self, img: &GrayImage, _want_hocr: bool) -> Result<Recognized, String> {
        let lines = ink_lines(img);
        let words = lines
            .iter()
            .map(|l| Word::on_line(self.text.clone(), 90.0, l))
            .collect();
        Ok(recognized(words, lines))
    }
}

/// The rows of ink on `img`, top to bottom: runs of rows with at least two dark pixels, at least
/// four rows tall, each boxed by its dark columns.
fn ink_lines(img: &GrayImage) -> Vec<LineBox> {
    let dark = |x: u32, y: u32| img.get_pixel(x, y).0[0] < 128;
    let inky = |y: u32| (0..img.width()).filter(|&x| dark(x, y)).nth(1).is_some();
    let mut lines = Vec::new();
    let mut y = 0;
    while y < img.height() {
        if !inky(y) {
            y += 1;
            continue;
        }
        let top = y;
        while y < img.height() && inky(y) {
            y += 1;
        }
        if y - top < 4 {
            continue;
        }
        let cols: Vec<u32> = (0..img.width())
            .filter(|&x| (top..y).any(|r| dark(x, r)))
            .collect();
        let (x0, x1) = (cols[0], cols[cols.len() - 1]);
        lines.push(LineBox {
            block: 1,
            par: 1,
            line: lines.len() as u32 + 1,
            x: x0,
            y: top,
            w: x1 - x0 + 1,
            h: y - top,
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn reads_each_row_of_ink_as_its_text_and_skips_specks() {
        let mut img = GrayImage::from_pixel(200, 100, Luma([255]));
        for (y0, x0, x1) in [(10, 20, 180), (40, 50, 120)] {
            for y in y0..y0 + 12 {
                for x in x0..x1 {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
        }
        img.put_pixel(5, 80, Luma([0]));
        let r = Fake { text: "甲".into() }.recognize(&img, false).unwrap();
        assert_eq!(r.lines.len(), 2);
        assert_eq!(
            (r.lines[1].x, r.lines[1].y, r.lines[1].w, r.lines[1].h),
            (50, 40, 70, 12)
        );
        assert_eq!(r.text, "甲\n甲\n");
        assert_eq!(r.mean_conf, Some(90.0));
    }
}
