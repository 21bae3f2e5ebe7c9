//! Stage 4: the book's structure — contents, chapters, cases and their sections.

pub mod contents;
