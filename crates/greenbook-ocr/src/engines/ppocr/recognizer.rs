//! The recognition sessions: a line cropped, resized and normalised, read by the tiny model and, where
//! it is unsure, by the small one.

use super::*;
use crate::io::FileError;

/// One recognition session: a worker has one to itself.
pub struct Recognizer {
    /// The fast model that reads every line first, in the cascade.
    fast: Option<RecModel>,
    /// The full model: it reads what the fast one is unsure of, or every line (the small model, or
    /// the tiny one alone).
    full: RecModel,
}

/// A recognition network with its dictionary.
pub struct RecModel {
    session: Session,
    /// Class index → text; 0 is the CTC blank, the last class a space.
    dict: Vec<String>,
    known: Classes,
}

pub(crate) fn ort_err(e: impl std::fmt::Display) -> OcrError {
    OcrError::Engine(format!("PP-OCR: {e}"))
}

impl RecModel {
    /// The model at `path`, its dictionary from its metadata (`character`) or else from `dict_file`.
    pub(crate) fn new(
        cfg: &PpocrConfig,
        path: &Path,
        dict_file: Option<&Path>,
    ) -> Result<RecModel, OcrError> {
        let session = session(cfg, path)?;
        let characters = match dict_file {
            Some(f) => std::fs::read_to_string(f).map_err(FileError::read(f))?,
            None => session
                .metadata()
                .map_err(ort_err)?
                .custom("character")
                .map_err(ort_err)?
                .ok_or_else(|| {
                    ort_err(format!(
                        "{}: no 'character' dictionary in the model's metadata",
                        path.display()
                    ))
                })?,
        };
        let mut dict = vec![String::new()];
        dict.extend(characters.lines().map(str::to_string));
        dict.push(" ".into());
        let known = Classes::of(&dict);
        Ok(RecModel {
            session,
            dict,
            known,
        })
    }

    /// Reads a line scaled to the model's height (`resized`, padded to `width`); `to_page` turns a
    /// frame into the page's x.
    pub(crate) fn read(
        &mut self,
        resized: &GrayImage,
        width: u32,
        to_page: impl Fn(f32, usize) -> u32,
    ) -> Result<LineRead, String> {
        let dict_len = self.dict.len();
        let (known, dict) = (&self.known, &self.dict);
        run_grey(
            &mut self.session,
            resized,
            width as usize,
            (Step::RecognizeInference, Step::Decoding),
            |shape, probs| {
                let (frames, classes) = (shape[1] as usize, shape[2] as usize);
                if classes != dict_len {
                    return Err(format!(
                        "model gives {classes} classes, its dictionary has {dict_len}"
                    ));
                }
                Ok(decode(probs, frames, classes, dict, known, |f| {
                    to_page(f, frames)
                }))
            },
        )
    }
}

impl Recognizer {
    pub fn new(cfg: &PpocrConfig) -> Result<Recognizer, OcrError> {
        let fast = match cfg.fast_model()? {
            Some(f) => Some(RecModel::new(cfg, &f.model, Some(&f.dict))?),
            None => None,
        };
        // Tiny alone: the fast model reads, nothing is read again, and small is not loaded.
        if cfg.recognition == Recognition::Tiny
            && let Some(fast) = fast
        {
            return Ok(Recognizer {
                fast: None,
                full: fast,
            });
        }
        let full = RecModel::new(cfg, &cfg.rec_model, None)?;
        Ok(Recognizer { fast, full })
    }

    /// Reads the text line in `rect` of the full-resolution grey page `page`.
    pub fn read(&mut self, page: &GrayImage, rect: Rect) -> Result<LineRead, String> {
        let rect = clamp(rect, page);
        if rect.w < 2 || rect.h < 2 {
            return Ok(LineRead::default());
        }
        let crop = image::imageops::crop_imm(page, rect.x, rect.y, rect.w, rect.h).to_image();
        self.read_crop(&crop, |x| rect.x + (x.round() as u32).min(rect.w))
    }

    /// Reads the text line that fills `crop`; `to_page` turns an x of the crop into the page's x.
    pub fn read_crop(
        &mut self,
        crop: &GrayImage,
        to_page: impl Fn(f32) -> u32,
    ) -> Result<LineRead, String> {
        let (cw, ch) = crop.dimensions();
        if cw < 2 || ch < 2 {
            return Ok(LineRead::default());
        }
        let ratio = cw as f32 / ch as f32;
        let width = ((HEIGHT as f32 * ratio.max(MIN_WIDTH as f32 / HEIGHT as f32)) as u32).max(1);
        let resized_w = ((HEIGHT as f32 * ratio).ceil() as u32).clamp(1, width);
        let resized = profile::time(Step::Crop, || {
            crate::input::scale::resize_grey(crop, resized_w, HEIGHT)
        });
        // Characters are placed first in columns of `resized` (frame t covers input columns
        // [t·w/T, (t+1)·w/T)), then on the page (input column x is crop column x·crop_w/resized_w).
        let col = columns(width, resized_w, 0);
        let mut read = match self.fast.as_mut() {
            Some(fast) => fast.read(&resized, width, col)?,
            None => self.full.read(&resized, width, col)?,
        };
        if self.fast.is_some() {
            read = self.reread(read, &resized, width)?;
        }
        for c in &mut read.chars {
            c.x0 = to_page(c.x0 as f32 * cw as f32 / resized_w as f32);
            c.x1 = to_page(c.x1 as f32 * cw as f32 / resized_w as f32);
            c.peak = to_page(c.peak as f32 * cw as f32 / resized_w as f32);
        }
        Ok(read)
    }

    /// The fast model's reading with the stretches it is unsure of read again by the full model:
    /// each stretch of characters under the bar, widened to Chinese characters on both sides (so a
    /// window never starts or ends beside a digit or a point), cut from `resized` between glyphs
    /// and read alone. A line mostly unsure is read again whole.
    pub(crate) fn reread(
        &mut self,
        read: LineRead,
        resized: &GrayImage,
        width: u32,
    ) -> Result<LineRead, String> {
        let spans = unsure_spans(&read);
        if spans.is_empty() {
            return Ok(read);
        }
        let unsure: usize = spans.iter().map(|(a, b)| b + 1 - a).sum();
        if unsure * 2 > read.chars.len() {
            return self
                .full
                .read(resized, width, columns(width, resized.width(), 0));
        }
        let mut chars = Vec::with_capacity(read.chars.len());
        let mut next = 0;
        for (a, b) in spans {
            chars.extend_from_slice(&read.chars[next..a]);
            let (x0, x1) = (read.chars[a].x0, read.chars[b].x1.min(resized.width()));
            if x1 <= x0 + 1 {
                chars.extend_from_slice(&read.chars[a..=b]);
            } else {
                // The cut between two characters' peaks can fall inside a glyph (。住 lost its 亻
                // and read 主), so the window takes a margin of the line on each side, and keeps the
                // characters the full model saw between the cuts.
                let (w0, w1) = (
                    x0.saturating_sub(WINDOW_PAD),
                    (x1 + WINDOW_PAD).min(resized.width()),
                );
                let window =
                    image::imageops::crop_imm(resized, w0, 0, w1 - w0, resized.height()).to_image();
                let ww = window.width().max(MIN_WIDTH);
                let again = self.full.read(&window, ww, columns(ww, w1 - w0, w0))?;
                chars.extend(
                    again
                        .chars
                        .into_iter()
                        .filter(|c| (x0..x1).contains(&c.peak)),
                );
            }
            next = b + 1;
        }
        chars.extend_from_slice(&read.chars[next..]);
        Ok(LineRead {
            text: chars.iter().map(|c| c.text.as_str()).collect(),
            chars,
        })
    }
}

impl LineReader for Recognizer {
    /// Reads the lines one after another: a batch of equal lines is no faster per line on the CPUs
    /// measured (BENCHMARKS.md), and lines differ in width.
    fn read_lines(
        &mut self,
        page: &GrayImage,
        lines: &[LineImage],
    ) -> Result<Vec<LineRead>, String> {
        let width = page.width() as f32;
        lines
            .iter()
            .map(|l| match l {
                LineImage::Rect(r) => self.read(page, *r),
                LineImage::Levelled {
                    crop,
                    centre,
                    half,
                    cos,
                } => self.read_crop(crop, |u| {
                    (centre + (u - half) * cos).round().clamp(0.0, width) as u32
                }),
            })
            .collect()
    }
}

/// Where frame t of `frames` falls in an input `width` columns wide (frame t covers columns
/// [t·w/T, (t+1)·w/T)), at most `limit` (the image's own width, before padding), moved by `offset`.
pub(crate) fn columns(width: u32, limit: u32, offset: u32) -> impl Fn(f32, usize) -> u32 {
    move |frame, frames| {
        offset
            + (frame * width as f32 / frames as f32)
                .min(limit as f32)
                .round() as u32
    }
}

/// The stretches (first and last character) of a fast reading that the full model reads again: each
/// character under the bar, with the characters around it up to a Chinese character on each side
/// (at least one), merged where they meet.
pub(crate) fn unsure_spans(read: &LineRead) -> Vec<(usize, usize)> {
    let bar = CASCADE_BAR;
    let n = read.chars.len();
    let han = |i: usize| {
        read.chars[i]
            .text
            .chars()
            .next()
            .is_some_and(crate::text::is_han)
    };
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        if read.chars[i].conf >= bar {
            continue;
        }
        let (mut a, mut b) = (i.saturating_sub(1), (i + 1).min(n - 1));
        while a > 0 && !(han(a) && han(a - 1)) {
            a -= 1;
        }
        while b + 1 < n && !(han(b) && han(b + 1)) {
            b += 1;
        }
        match spans.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    spans
}

/// An ONNX Runtime session of `model`, on `cfg.threads` threads (ONNX Runtime loaded first).
pub(super) fn session(cfg: &PpocrConfig, model: &Path) -> Result<Session, OcrError> {
    init_runtime(&cfg.runtime).map_err(OcrError::Engine)?;
    Session::builder()
        .map_err(ort_err)?
        .with_intra_threads(cfg.threads)
        .map_err(ort_err)?
        .with_inter_threads(1)
        .map_err(ort_err)?
        // Without the memory pattern two workers peaked at 456 MiB instead of 542 MiB on dense
        // pages, at the same speed (lines differ in width, so a planned pattern is rarely reused).
        // Measured and not kept: flush-to-zero (no change), the CPU arena off (4 % slower).
        .with_memory_pattern(false)
        .map_err(ort_err)?
        .commit_from_file(model)
        .map_err(|e| ort_err(format!("{}: {e}", model.display())))
}

/// Runs a PP-OCR network on a grey image given as N×3×H×`width` (the grey value in every channel,
/// normalised to (v/255 − 0.5)/0.5; columns past the image's width 0, mid-grey), and hands the first
/// output's shape and data to `then`.
pub(super) fn run_grey<R>(
    session: &mut Session,
    img: &GrayImage,
    width: usize,
    (inference, post): (Step, Step),
    then: impl FnOnce(&[i64], &[f32]) -> Result<R, String>,
) -> Result<R, String> {
    let t = Instant::now();
    let (iw, h) = (img.width() as usize, img.height() as usize);
    let w = width.max(iw);
    let mut input = vec![0f32; 3 * h * w];
    let plane = h * w;
    for (row, out) in img
        .as_raw()
        .chunks_exact(iw.max(1))
        .zip(input[..plane].chunks_exact_mut(w))
    {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = (v as f32 / 255.0 - 0.5) / 0.5;
        }
    }
    input.copy_within(..plane, plane);
    input.copy_within(..plane, 2 * plane);
    let tensor = TensorRef::from_array_view(([1usize, 3, h, w], input.as_slice()))
        .map_err(|e| e.to_string())?;
    profile::add(Step::Crop, t);
    let outputs = profile::time(inference, || session.run(ort::inputs![tensor]))
        .map_err(|e| e.to_string())?;
    let (shape, data) = outputs[0]
        .try_extract_tensor::<f32>()
        .map_err(|e| e.to_string())?;
    profile::time(post, || then(shape, data))
}
