//! greenbook: scanned pages of a printed Chinese book → text, structure, facts, Parquet and PDF digests.
//!
//! The stages are crates that only look forward, with typed data between them:
//! [`input`] → [`ocr`] → [`book`] → [`extract`] → [`dataset`] → [`publish`], with [`text`], [`io`]
//! and [`edition`] (what is specific to the printed book, from its TOML file) as shared leaves
//! (`greenbook-core`), and [`pipeline`] running them in order. Each crate depends only on the crates
//! before it, so Cargo refuses a back edge; `tests/integration/architecture.rs` checks the order too.
//! This library re-exports them under one name; the `greenbook` binary is the command line over
//! [`pipeline`].

pub use greenbook_book as book;
pub use greenbook_core::{edition, io, text};
pub use greenbook_dataset as dataset;
pub use greenbook_extract as extract;
pub use greenbook_input as input;
pub use greenbook_ocr as ocr;
pub use greenbook_pipeline as pipeline;
pub use greenbook_publish as publish;
