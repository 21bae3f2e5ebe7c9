//! What every stage shares: text handling (normalising, numerals, segmenting), file input/output
//! (atomic writes, JSON Lines, CSV, the output folder's ledger and lock, progress) and the edition
//! (what is specific to the printed book, read from its TOML file). It depends on no other stage.

pub mod edition;
pub mod io;
pub mod text;
