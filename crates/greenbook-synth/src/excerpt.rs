//! Turns the book's extracted text (`excerpt.txt`) into a document of typed blocks, grouped the way the
//! printed book groups them into pages: front matter, contents, chapter divider and cases.
//!
//! The renderer typesets these blocks; nothing here knows about pixels.

use greenbook::book::contents::{self, ContentsEntry};

/// One typeset unit of the book.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Vertical space in millimetres.
    Space(f32),
    /// A centred line in the given style.
    Centered {
        text: String,
        style: Style,
    },
    /// A left-aligned, wrapped, unindented line (copyright page).
    Plain {
        text: String,
    },
    /// Body paragraph: 2-em indent, justified.
    Para {
        text: String,
    },
    /// Section heading such as 社区概况.
    Section {
        text: String,
    },
    /// Numbered sub-heading, `level` 1 for （1）, 2 for ①.
    SubHeading {
        text: String,
        level: u8,
    },
    /// One or two photos side by side, each with its caption under it.
    Figure {
        captions: Vec<String>,
    },
    /// A picture with no caption (its description is not printed text).
    Picture {
        description: String,
    },
    /// Contents: chapter line.
    TocChapter {
        number: u32,
        name: String,
    },
    /// Contents: one case with its printed page.
    TocEntry {
        page: u32,
        title: String,
    },
    /// Case title and its "——" subtitle.
    CaseTitle {
        text: String,
    },
    Subtitle {
        text: String,
    },
}

/// Named text styles; the renderer maps them to a face and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    CoverTitle,
    CoverSub,
    Heading,
    Latin,
    Body,
    Small,
    ChapterNumber,
    ChapterName,
}

/// What sort of page a group of blocks makes.
pub use greenbook::input::PageKind;

/// A run of blocks that starts on a new page. Front matter sections get labels `f01`…; numbered sections
/// start at their printed page and may flow over `max_pages` pages.
#[derive(Debug, Clone)]
pub struct Section {
    pub kind: PageKind,
    /// Printed page of the first page, for numbered pages.
    pub first_page: Option<u32>,
    /// Pages this section may fill (the next section's printed page minus this one's).
    pub max_pages: u32,
    pub district: Option<String>,
    pub contents_title: Option<String>,
    pub blocks: Vec<Block>,
}

/// The whole excerpt, split into sections, plus its parsed contents.
#[derive(Debug, Clone)]
pub struct Document {
    pub sections: Vec<Section>,
    pub contents: Vec<ContentsEntry>,
}

const TERMINAL: &[char] = &['。', '！', '？', '；', '：', '”', '）', ')', '.', '…'];

fn is_figure_label(line: &str) -> bool {
    let rest = line.strip_prefix('图').map(str::trim);
    matches!(rest, Some(r) if !r.is_empty() && r.chars().all(|c| c.is_ascii_digit()))
}

fn is_ascii_description(line: &str) -> bool {
    line.len() > 60 && line.is_ascii()
}

fn subheading_level(line: &str) -> Option<u8> {
    let first = line.chars().next()?;
    if first == '（' || first == '(' {
        let inner: String = line
            .chars()
            .skip(1)
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let close = line.chars().nth(1 + inner.chars().count());
        if !inner.is_empty() && matches!(close, Some('）') | Some(')')) {
            return Some(1);
        }
    }
    if ('①'..='⑳').contains(&first) {
        return Some(2);
    }
    None
}

/// Body lines of a case or the preface become blocks; a paragraph that the extraction split at a page
/// break (it does not end in terminal punctuation) is joined with the next line.
fn body_blocks(lines: &[&str]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut pending_figs: Vec<String> = Vec::new();
    let flush_figs = |out: &mut Vec<Block>, figs: &mut Vec<String>| {
        for pair in figs.chunks(2) {
            out.push(Block::Figure {
                captions: pair.to_vec(),
            });
        }
        figs.clear();
    };
    for &line in lines {
        if is_figure_label(line) {
            pending_figs.push(line.to_string());
            continue;
        }
        flush_figs(&mut out, &mut pending_figs);
        if matches!(line, "社区概况" | "特色工作" | "创建成效") {
            out.push(Block::Section {
                text: line.to_string(),
            });
        } else if let Some(level) = subheading_level(line) {
            out.push(Block::SubHeading {
                text: line.to_string(),
                level,
            });
        } else if let Some(Block::Para { text }) = out.last_mut() {
            if text.chars().count() > 8 && !text.ends_with(TERMINAL) {
                text.push_str(line);
            } else {
                out.push(Block::Para {
                    text: line.to_string(),
                });
            }
        } else {
            out.push(Block::Para {
                text: line.to_string(),
            });
        }
    }
    flush_figs(&mut out, &mut pending_figs);
    out
}

fn centered(text: &str, style: Style) -> Block {
    Block::Centered {
        text: text.to_string(),
        style,
    }
}

fn cover_blocks(lines: &[&str], title_page: bool) -> Vec<Block> {
    let mut out = vec![Block::Space(if title_page { 30.0 } else { 45.0 })];
    for (i, &line) in lines.iter().enumerate() {
        if is_ascii_description(line) {
            out.push(Block::Space(10.0));
            out.push(Block::Picture {
                description: line.to_string(),
            });
        } else if i == 0 {
            out.push(centered(line, Style::CoverTitle));
        } else if i == 1 && !title_page {
            out.push(Block::Space(6.0));
            out.push(centered(line, Style::CoverSub));
            out.push(Block::Space(70.0));
        } else {
            if i == 1 {
                out.push(Block::Space(50.0));
            }
            if line == "上海科学技术出版社" {
                out.push(Block::Space(30.0));
            }
            out.push(centered(line, Style::Body));
        }
    }
    out
}

fn committee_blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = vec![Block::Space(10.0)];
    for &line in lines {
        if line == "编委会" {
            out.push(centered(line, Style::Heading));
        } else if line.is_ascii() {
            out.push(centered(line, Style::Latin));
            out.push(Block::Space(8.0));
        } else if line.chars().filter(|c| !c.is_whitespace()).count() <= 4 && !line.contains("  ") {
            out.push(Block::Space(5.0));
            out.push(centered(line, Style::Heading));
        } else {
            out.push(centered(line, Style::Body));
        }
    }
    out
}

fn preface_blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = vec![Block::Space(10.0)];
    let mut body = Vec::new();
    for &line in lines {
        if line == "前言" {
            out.push(centered(line, Style::Heading));
        } else if line.is_ascii() {
            out.push(centered(line, Style::Latin));
            out.push(Block::Space(8.0));
        } else {
            body.push(line);
        }
    }
    out.extend(body_blocks(&body));
    out
}

fn copyright_blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = vec![Block::Space(20.0)];
    for &line in lines {
        if line == "图书在版编目(CIP)数据" {
            out.push(centered(line, Style::Heading));
            out.push(Block::Space(4.0));
        } else {
            out.push(Block::Plain {
                text: line.to_string(),
            });
        }
    }
    out
}

/// Splits the excerpt at the markers the printed book starts a new page at.
pub fn parse(text: &str) -> Document {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let find = |from: usize, pred: &dyn Fn(&str) -> bool| {
        (from..lines.len())
            .find(|&i| pred(lines[i]))
            .unwrap_or(lines.len())
    };
    let title_page = find(1, &|l| l == "新时代绿色社区创建 上海案例精选");
    let cip = find(title_page, &|l| l.starts_with("图书在版编目"));
    let committee = find(cip, &|l| l == "编委会");
    let preface = find(committee, &|l| l == "前言");
    let toc = find(preface, &|l| l == "目录");
    let case_starts: Vec<usize> = (toc..lines.len().saturating_sub(1))
        .filter(|&i| lines[i + 1].starts_with("——"))
        .collect();
    let first_case = case_starts.first().copied().unwrap_or(lines.len());
    // The chapter divider is the run of lines after the last contents entry.
    let toc_end = (toc..first_case)
        .rev()
        .find(|&i| contents::parse_entry_line(lines[i]).is_some())
        .map_or(first_case, |i| i + 1);

    let contents = contents::parse(&lines[toc..toc_end].join("\n"));
    let mut sections = vec![
        front(PageKind::Cover, cover_blocks(&lines[..title_page], false)),
        front(PageKind::Front, cover_blocks(&lines[title_page..cip], true)),
        front(PageKind::Front, copyright_blocks(&lines[cip..committee])),
        front(
            PageKind::Front,
            committee_blocks(&lines[committee..preface]),
        ),
        front(PageKind::Front, preface_blocks(&lines[preface..toc])),
    ];
    sections.push(contents_section(&contents));
    sections.push(divider_section(&lines[toc_end..first_case], &contents));

    for (n, &start) in case_starts.iter().enumerate() {
        let end = case_starts.get(n + 1).copied().unwrap_or(lines.len());
        let title = lines[start];
        let entry = contents::best_match(&contents, title, None);
        let page = entry.map_or(0, |e| e.page);
        let next = entry
            .and_then(|e| contents.iter().find(|o| o.page > e.page))
            .map_or(page + 3, |o| o.page);
        let mut blocks = vec![
            Block::CaseTitle {
                text: title.to_string(),
            },
            Block::Subtitle {
                text: lines[start + 1].to_string(),
            },
        ];
        blocks.extend(body_blocks(&lines[start + 2..end]));
        sections.push(Section {
            kind: PageKind::Case,
            first_page: Some(page),
            max_pages: next - page,
            district: entry.map(|e| e.district.clone()),
            contents_title: entry.map(|e| e.title.clone()),
            blocks,
        });
    }
    Document { sections, contents }
}

/// The contents pages: each chapter's heading, then its entries.
fn contents_section(contents: &[contents::ContentsEntry]) -> Section {
    let mut toc_blocks = vec![
        Block::Space(6.0),
        centered("目录", Style::Heading),
        centered("CONTENTS", Style::Latin),
        Block::Space(4.0),
    ];
    let mut last_chapter = 0;
    for e in contents {
        if e.chapter != last_chapter {
            toc_blocks.push(Block::TocChapter {
                number: e.chapter,
                name: e.chapter_title.clone(),
            });
            last_chapter = e.chapter;
        }
        toc_blocks.push(Block::TocEntry {
            page: e.page,
            title: e.title.clone(),
        });
    }
    Section {
        max_pages: 2,
        ..front(PageKind::Contents, toc_blocks)
    }
}

/// The chapter divider: chapter number, district, "优秀示范案例".
fn divider_section(divider: &[&str], contents: &[contents::ContentsEntry]) -> Section {
    let number: u32 = divider.first().and_then(|l| l.parse().ok()).unwrap_or(1);
    let chapter_entry = contents.iter().find(|e| e.chapter == number);
    let first_printed = chapter_entry.map_or(2, |e| e.page);
    let mut div_blocks = vec![Block::Space(80.0)];
    for (i, &line) in divider.iter().enumerate() {
        let style = if i == 0 {
            Style::ChapterNumber
        } else {
            Style::ChapterName
        };
        div_blocks.push(centered(line, style));
        div_blocks.push(Block::Space(8.0));
    }
    Section {
        kind: PageKind::Chapter,
        first_page: Some(first_printed.saturating_sub(1)),
        max_pages: 1,
        district: chapter_entry.map(|e| e.district.clone()),
        contents_title: chapter_entry.map(|e| e.chapter_title.clone()),
        blocks: div_blocks,
    }
}

fn front(kind: PageKind, blocks: Vec<Block>) -> Section {
    Section {
        kind,
        first_page: None,
        max_pages: 1,
        district: None,
        contents_title: None,
        blocks,
    }
}
