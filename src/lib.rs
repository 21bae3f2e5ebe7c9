//! greenbook: scanned pages of a printed Chinese book → text, structure, facts, Parquet and PDF digests.
//!
//! Stages that only look forward, each its own module, with typed data between them:
//! [`input`] → [`ocr`] → [`book`] → [`extract`] → [`store`] → [`report`], with [`text`], [`io`] and
//! [`edition`] (what is specific to the printed book, from its TOML file) as shared leaves and [`cmd`]
//! (one module per command) on top. A module imports only modules to its
//! left in that chain, or the leaves; `tests/integration/architecture.rs` fails on a back edge.

pub mod book;
pub mod cmd;
pub mod edition;
pub mod extract;
pub mod input;
pub mod io;
pub mod ocr;
pub mod report;
pub mod store;
pub mod text;
