//! Integration tests: one binary (as ripgrep's), a file per topic, on real data — the committed scans,
//! real Tesseract, PDFs parsed back with poppler, Parquet read back with Polars and DuckDB.

mod util;

mod architecture;
mod archive;
mod bad_input;
mod capture;
mod engines;
mod extraction;
mod facts;
mod faults;
mod hostile;
mod iiif;
mod ocr_stage;
mod pipeline;
mod review;
mod scale_out;
mod synthetic;
