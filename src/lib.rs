//! greenbook: scanned pages of a printed Chinese book → text, structure, facts, Parquet and PDF digests.
//!
//! Stages, each its own module with plain data types between them:
//! `scan` → `ocr` → `text` → `book` → `extract` → `store` → `report`.

pub mod app;
pub mod book;
pub mod extract;
pub mod io;
pub mod ocr;
pub mod progress;
pub mod report;
pub mod scan;
pub mod store;
pub mod text;
