//! Chinese word segmentation with `jieba-rs` and a domain dictionary, so that keywords are whole
//! tokens: 外来人口 is one word and does not count as 人口; 绿化率 is not 绿化 + 率.

use std::sync::OnceLock;

use jieba_rs::Jieba;

/// Words the general dictionary lacks or splits, with a high frequency so jieba keeps them whole.
pub const DOMAIN_WORDS: &[&str] = &[
    "户数",
    "总户数",
    "规划总户数",
    "住户",
    "人口",
    "总人口",
    "居住人口",
    "常住人口",
    "户籍人口",
    "常住居民",
    "实有人口",
    "外来人口",
    "来沪人员",
    "非户籍",
    "非户籍人口",
    "非沪籍",
    "非沪籍人口",
    "流动人口",
    "老年人",
    "老龄化率",
    "老龄人口",
    "60岁以上",
    "绿化率",
    "绿化覆盖率",
    "绿地率",
    "绿化面积",
    "建筑面积",
    "占地面积",
    "居民区",
    "居委会",
    "建成",
    "建于",
    "入住",
    "成立",
    "始建",
    "竣工",
    "交付",
    "动迁户",
    "志愿者",
    "停车位",
    "满意度",
    "准确率",
    "完成率",
    "参与率",
    "覆盖率",
    "东力新村",
];

/// The segmenter, built once (loading the dictionary takes a few hundred milliseconds).
pub fn jieba() -> &'static Jieba {
    static J: OnceLock<Jieba> = OnceLock::new();
    J.get_or_init(|| {
        let mut j = Jieba::new();
        // The edition's population words are matched as whole words, so they must be cut as such.
        let edition = &crate::edition::current().facts.population;
        for w in DOMAIN_WORDS
            .iter()
            .copied()
            .chain(edition.iter().map(String::as_str))
        {
            j.add_word(w, Some(100_000), None);
        }
        j
    })
}

/// A token with its char span.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub word: String,
    pub start: usize,
    pub end: usize,
}

/// Segments `text` (HMM on for unknown words).
pub fn tokens(text: &str) -> Vec<Token> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| Token {
            word: t.word.to_string(),
            start: t.start,
            end: t.end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_words_stay_whole() {
        let words: Vec<String> = tokens("外来人口占35%，绿化覆盖率达40%")
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert!(words.contains(&"外来人口".to_string()), "{words:?}");
        assert!(words.contains(&"绿化覆盖率".to_string()), "{words:?}");
        assert!(!words.contains(&"人口".to_string()));
    }
}
