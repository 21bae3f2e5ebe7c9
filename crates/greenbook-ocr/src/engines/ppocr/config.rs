//! Where the models and ONNX Runtime are, found or named by flags, and how recognition runs.

use super::*;
use crate::io::FileError;

/// The recognition model (from the PyPI wheel `rapidocr` 3.10.0) and ONNX Runtime's library (from the
/// PyPI wheel `onnxruntime` 1.32.0), as `scripts/setup.sh` names them in `models/`.
pub const REC_MODEL: &str = "PP-OCRv6_rec_small.onnx";
/// The fast recognizer of [`Recognition::Cascade`] and its dictionary (the model carries none).
pub const FAST_MODEL: &str = "PP-OCRv6_rec_tiny.onnx";
pub const FAST_DICT: &str = "PP-OCRv6_rec_tiny_dict.txt";
pub const RUNTIME: &str = "libonnxruntime.so.1.32.0";
/// What to do when they are missing.
pub const SETUP_HINT: &str = "run ./scripts/setup.sh (it installs them into models/), or pass --models DIR and --onnxruntime PATH";

/// The recognizer's input height (RapidOCR's `rec_img_shape`) and the width a short crop is padded
/// to. RapidOCR pads to 320; 128 read the same text on the tuning pages (SYNTHETIC Ming s9, Kai s1:
/// `ppocr` CER 0.10 / 0.28 % either way) and short crops, most of `hybrid`'s, cost less.
pub(crate) const HEIGHT: u32 = 48;
pub(crate) const MIN_WIDTH: u32 = 128;

/// Where the model and the runtime are, and how the recognizer runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PpocrConfig {
    pub rec_model: PathBuf,
    pub runtime: PathBuf,
    /// sha256 of the model file: part of the engine id, so of the cache key.
    pub model_sha256: String,
    /// ONNX Runtime intra-op threads per session (1: the workers are the parallelism).
    pub threads: usize,
    /// The text detector's model (`ppocr` with [`Layout::Detector`]) and its sha256.
    pub det_model: PathBuf,
    pub det_sha256: String,
    /// What finds the lines `ppocr` reads.
    pub layout: Layout,
    /// Which models read the lines.
    pub recognition: Recognition,
    /// The fast model, its dictionary and the sha256 of both (None when not installed).
    pub fast: Option<FastModel>,
}

/// The fast recognizer's files.
#[derive(Debug, Clone, PartialEq)]
pub struct FastModel {
    pub model: PathBuf,
    pub dict: PathBuf,
    pub sha256: String,
}

/// Which models read the lines `ppocr` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Recognition {
    /// PP-OCRv6 tiny reads every line; PP-OCRv6 small reads again the stretches where tiny is unsure
    /// (a character under [`CASCADE_BAR`]), and the lines that are mostly unsure.
    #[default]
    Cascade,
    /// PP-OCRv6 small reads every line.
    Small,
    /// PP-OCRv6 tiny alone reads every line: fastest, but it cannot read a character outside its
    /// 6,904-character dictionary (崑 of 绿地崑廉 is not in it).
    Tiny,
}

/// What finds the lines the `ppocr` engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    /// PP-OCRv6's text detector on the page scaled down; each line cropped along its own tilt.
    #[default]
    Detector,
    /// Tesseract's layout analysis, and a finder of lines it missed.
    Tesseract,
}

/// The folders searched for `models/`: the working folder, the project folder of the executable
/// (`target/<profile>/greenbook` → the project), and the source tree this binary was built from.
pub(crate) fn default_model_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("models")];
    if let Ok(exe) = std::env::current_exe()
        && let Some(project) = exe.parent().and_then(Path::parent).and_then(Path::parent)
    {
        dirs.push(project.join("models"));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"));
    dirs
}

impl PpocrConfig {
    /// Finds the model and the runtime: the flags, then `GREENBOOK_MODELS` / `GREENBOOK_ONNXRUNTIME`,
    /// then `models/` (see [`default_model_dirs`]). Missing files are an error naming where it looked.
    pub fn find(models: Option<&Path>, runtime: Option<&Path>) -> Result<PpocrConfig, OcrError> {
        let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
        let dirs: Vec<PathBuf> = match models
            .map(Path::to_path_buf)
            .or_else(|| env("GREENBOOK_MODELS"))
        {
            Some(d) => vec![d],
            None => default_model_dirs(),
        };
        let rec_model = first_file(&dirs, REC_MODEL, "the PP-OCR recognition model")?;
        let runtime = match runtime
            .map(Path::to_path_buf)
            .or_else(|| env("GREENBOOK_ONNXRUNTIME"))
        {
            Some(p) => vec![p],
            None => dirs.iter().map(|d| d.join(RUNTIME)).collect(),
        };
        let found = runtime.iter().find(|p| p.is_file()).cloned();
        let runtime = found.ok_or_else(|| OcrError::Missing {
            what: format!("ONNX Runtime ({RUNTIME})"),
            searched: runtime
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            hint: SETUP_HINT.into(),
        })?;
        let det_model = first_file(&dirs, detect::DET_MODEL, "the PP-OCR detection model")?;
        let sha = |path: &Path| {
            std::fs::read(path)
                .map(|bytes| crate::io::sha256_hex(&bytes))
                .map_err(FileError::read(path))
        };
        let fast = match dirs
            .iter()
            .find(|d| d.join(FAST_MODEL).is_file() && d.join(FAST_DICT).is_file())
        {
            Some(d) => {
                let (model, dict) = (d.join(FAST_MODEL), d.join(FAST_DICT));
                let both = format!("{}{}", sha(&model)?, sha(&dict)?);
                Some(FastModel {
                    sha256: crate::io::sha256_hex(both.as_bytes()),
                    model,
                    dict,
                })
            }
            None => None,
        };
        Ok(PpocrConfig {
            model_sha256: sha(&rec_model)?,
            det_sha256: sha(&det_model)?,
            rec_model,
            det_model,
            runtime,
            threads: 1,
            layout: Layout::default(),
            recognition: Recognition::default(),
            fast,
        })
    }

    /// The fast model when the cascade is asked for; a clear error when it is not installed.
    pub fn fast_model(&self) -> Result<Option<&FastModel>, OcrError> {
        match self.recognition {
            Recognition::Small => Ok(None),
            Recognition::Cascade | Recognition::Tiny => {
                self.fast
                    .as_ref()
                    .map(Some)
                    .ok_or_else(|| OcrError::Missing {
                        what: format!("the PP-OCR fast recognizer {FAST_MODEL} and {FAST_DICT}"),
                        searched: format!("beside {}", self.rec_model.display()),
                        hint: format!("{SETUP_HINT}; or --recognition small"),
                    })
            }
        }
    }
}

/// The first of `dirs` that holds the file `name`, or what is missing and where it was looked for.
pub(crate) fn first_file(dirs: &[PathBuf], name: &str, what: &str) -> Result<PathBuf, OcrError> {
    dirs.iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| OcrError::Missing {
            what: format!("{what} {name}"),
            searched: dirs
                .iter()
                .map(|d| d.join(name).display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            hint: SETUP_HINT.into(),
        })
}

/// Loads ONNX Runtime once per process (the first path given wins, as `ort::init_from` does).
pub(crate) fn init_runtime(path: &Path) -> Result<(), String> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        ort::init_from(path.display().to_string())
            .with_name("greenbook")
            .commit()
            .map(|_| ())
            .map_err(|e| format!("{}: cannot load ONNX Runtime: {e}", path.display()))
    })
    .clone()
}
