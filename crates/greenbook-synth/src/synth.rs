//! A **synthetic** full edition of the book, for benchmarks at scale and a harder extraction test:
//! the real front matter and table of contents (all 80 titles, 16 districts, printed page numbers),
//! a chapter divider per district, and for every contents entry a case of 2–5 pages starting at its
//! printed page, whose profile (社区概况) states generated facts in varied phrasing — different orders,
//! number forms, qualifiers and distractors than the three real cases. Deterministic from a seed. The
//! gold facts are written beside the pages (`gold.jsonl`, the `extract --jsonl` shape).

use crate::degrade::Rng;
use crate::excerpt::{Block, Document, PageKind, Section, Style};
use greenbook::book::ContentsEntry;

/// A generated case: its section and its gold record.
pub struct SynthCase {
    pub section: Section,
    pub gold: serde_json::Value,
}

fn pick<'a, T>(rng: &mut Rng, v: &'a [T]) -> &'a T {
    &v[(rng.next_u64() % v.len() as u64) as usize]
}

fn chance(rng: &mut Rng, p: f32) -> bool {
    rng.unit() < p
}

fn range(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    lo + rng.next_u64() % (hi - lo + 1)
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 0 < n < 100 000 in Chinese numerals: 1224 → 一千二百二十四, 3095 → 三千零九十五, 12000 → 一万二千.
pub fn chinese(n: u64) -> String {
    if n == 0 {
        return "零".into();
    }
    let units = [(10_000, '万'), (1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut zero = false;
    for (u, name) in units {
        let d = rest / u;
        rest %= u;
        if d > 0 {
            if zero {
                out.push('零');
                zero = false;
            }
            if !(u == 10 && d == 1 && out.is_empty()) {
                out.push(if d == 2 && u >= 1000 {
                    '两'
                } else {
                    DIGITS[d as usize]
                });
            }
            out.push(name);
        } else if !out.is_empty() {
            zero = true;
        }
        if rest == 0 {
            return out;
        }
    }
    if zero {
        out.push('零');
    }
    out.push(DIGITS[rest as usize]);
    out
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A count in one of the forms the book and OCR produce.
fn count(rng: &mut Rng, n: u64) -> String {
    match rng.next_u64() % 7 {
        0 if n >= 1000 => format!("{},{:03}", n / 1000, n % 1000),
        1 if n >= 1000 => format!("{} {:03}", n / 1000, n % 1000),
        2 if n < 100_000 => chinese(n),
        3 if n >= 10_000 && n.is_multiple_of(1000) => {
            format!("{}万", greenbook::text::fmt_num(n as f64 / 10_000.0))
        }
        4 if n >= 1000 && n.is_multiple_of(100) && n < 10_000 => {
            format!("{}千", greenbook::text::fmt_num(n as f64 / 1000.0))
        }
        5 => fullwidth(&n.to_string()),
        _ => n.to_string(),
    }
}

/// A percentage phrase; returns (text, value).
fn percent(rng: &mut Rng, v: f64) -> String {
    let whole = (v - v.round()).abs() < 1e-9;
    match rng.next_u64() % 6 {
        0 if whole => format!("百分之{}", chinese(v as u64)),
        1 if whole && (v as u64).is_multiple_of(10) => format!("{}成", DIGITS[(v as usize) / 10]),
        2 if whole && v == 25.0 => "四分之一".into(),
        3 => format!("{}％", greenbook::text::fmt_num(v)),
        _ => format!("{}%", greenbook::text::fmt_num(v)),
    }
}

fn year(rng: &mut Rng, y: u64) -> String {
    if chance(rng, 0.3) {
        y.to_string()
            .chars()
            .map(|c| {
                if c == '0' {
                    '〇'
                } else {
                    DIGITS[c as usize - '0' as usize]
                }
            })
            .collect()
    } else {
        y.to_string()
    }
}

const TOWN: [&str; 12] = [
    "新华",
    "东明",
    "江川",
    "华泾",
    "石门",
    "长白",
    "曹杨",
    "罗店",
    "泗泾",
    "朱家角",
    "庄行",
    "堡",
];
const SUFFIX: [&str; 5] = ["", "新村", "花园", "家园", "苑"];
const COMMUNITY: [&str; 16] = [
    "梅园", "金桥", "阳光", "和平", "紫藤", "春申", "悦来", "桂林", "碧云", "锦绣", "晨曦", "望江",
    "兰亭", "康乐", "丰盛", "绿洲",
];
const FILLER: [&str; 12] = [
    "社区党组织牵头，联合物业公司和业委会，定期召开联席会议，共同商议小区公共事务。",
    "居民骨干带头开展垃圾分类宣传，楼组长逐户讲解分类要求，分类准确率明显提升。",
    "小区利用闲置空间建设社区花园，居民认领花箱，共同种植花草蔬菜。",
    "社区组织开展节能减排主题活动，倡导绿色出行和低碳生活方式。",
    "通过“美丽家园”改造，小区道路、绿化和照明设施得到全面提升。",
    "居委会搭建议事平台，引导居民参与小区治理，形成共建共治共享的良好氛围。",
    "志愿服务队每周开展环境整治行动，清理楼道堆物，美化公共空间。",
    "社区与辖区单位结对共建，引入专业力量开展生态科普和环保教育。",
    "小区完成雨污分流改造，新增非机动车充电设施，居民生活更加便利。",
    "社区通过微信群、公告栏等渠道及时发布绿色社区创建信息，居民知晓率不断提高。",
    "老年人和青少年共同参与“绿色家庭”评选，绿色理念走进千家万户。",
    "创建工作开展以来，小区环境面貌焕然一新，居民的获得感和幸福感不断增强。",
];

/// A case's six facts as drawn (each present with probability 0.85).
struct SynthFacts {
    households: Option<u64>,
    population: Option<u64>,
    green: Option<f64>,
    founded: Option<u64>,
    elderly: Option<f64>,
    migrant: Option<f64>,
}

impl SynthFacts {
    fn draw(rng: &mut Rng) -> SynthFacts {
        let present = |rng: &mut Rng| chance(rng, 0.85);
        let households = present(rng).then(|| range(rng, 3, 60) * 100 + range(rng, 0, 99));
        let population = present(rng).then(|| {
            let base = households.unwrap_or(1500) * range(rng, 22, 30) / 10;
            if chance(rng, 0.3) {
                base / 1000 * 1000
            } else {
                base
            }
        });
        let green = present(rng).then(|| {
            if chance(rng, 0.3) {
                range(rng, 250, 520) as f64 / 10.0
            } else {
                range(rng, 25, 50) as f64
            }
        });
        let founded = present(rng).then(|| range(rng, 1985, 2015));
        let elderly = present(rng).then(|| range(rng, 15, 45) as f64);
        let migrant = present(rng).then(|| range(rng, 5, 40) as f64);
        SynthFacts {
            households,
            population,
            green,
            founded,
            elderly,
            migrant,
        }
    }
}

/// A clause per fact present, each in one of its wordings, in the facts' order.
fn fact_clauses(rng: &mut Rng, f: &SynthFacts, name: &str) -> Vec<String> {
    let mut clauses: Vec<String> = Vec::new();
    if let Some(y) = f.founded {
        let y = year(rng, y);
        clauses.push(match rng.next_u64() % 5 {
            0 => format!("{name}始建于{y}年"),
            1 => format!("{name}建成于{y}年"),
            2 => format!("小区于{y}年竣工交付"),
            3 => format!("{name}成立于{y}年"),
            _ => format!("该小区{y}年入住"),
        });
    }
    if let Some(h) = f.households {
        let q = *pick(rng, &["", "", "", "约"]);
        let n = count(rng, h);
        clauses.push(match rng.next_u64() % 4 {
            0 => format!("共有住户{q}{n}户"),
            1 => format!("现有居民{q}{n}户"),
            2 => format!("总户数{q}{n}户"),
            _ => format!("辖区内共{q}{n}户居民"),
        });
    }
    if let Some(p) = f.population {
        let n = count(rng, p);
        clauses.push(match rng.next_u64() % 4 {
            0 => format!("实有人口{n}人"),
            1 => format!("常住人口约{n}人"),
            2 => format!("总人口{n}余人"),
            _ => format!("居住人口{n}人"),
        });
    }
    if let Some(g) = f.green {
        let v = percent(rng, g);
        clauses.push(match rng.next_u64() % 3 {
            0 => format!("绿化率{v}"),
            1 => format!("绿化覆盖率达{v}"),
            _ => format!("绿地率为{v}"),
        });
    }
    if let Some(e) = f.elderly {
        let v = percent(rng, e);
        clauses.push(match rng.next_u64() % 3 {
            0 => format!("60岁以上老人占{v}"),
            1 => format!("老年人占比{v}"),
            _ => format!("老龄化率达{v}"),
        });
    }
    if let Some(m) = f.migrant {
        let v = percent(rng, m);
        clauses.push(match rng.next_u64() % 3 {
            0 => format!("外来人口占{v}"),
            1 => format!("来沪人员约占{v}"),
            _ => format!("非户籍人口占比{v}"),
        });
    }
    clauses
}

/// The profile's text: a clause per fact in one of its wordings, shuffled (the founding sometimes
/// kept first), with one or two distractors, in sentences of 2–3 clauses; opening with where the
/// community lies (`place`) unless it opens with its name.
fn profile(rng: &mut Rng, f: &SynthFacts, name: &str, place: &str) -> String {
    let clauses = fact_clauses(rng, f, name);
    // Distractors: numbers that are none of the six facts.
    let distractors = [
        format!("全区共有{}个小区", range(rng, 80, 400)),
        format!("居民满意度达{}%", range(rng, 90, 99)),
        format!("共有停车位{}个", range(rng, 100, 900)),
        format!("楼栋{}幢", range(rng, 8, 60)),
        format!("注册志愿者{}人", range(rng, 30, 300)),
        format!("占地面积{}平方米", range(rng, 20_000, 150_000)),
    ];
    let founded_first = clauses.first().is_some_and(|c| c.contains('年')) && chance(rng, 0.6);
    let mut order: Vec<String> = clauses;
    // Shuffle all but (sometimes) the founding clause.
    let start = usize::from(founded_first);
    for i in (start + 1..order.len()).rev() {
        let j = start + (rng.next_u64() as usize) % (i - start + 1);
        order.swap(i, j);
    }
    for _ in 0..range(rng, 1, 3) {
        let d = pick(rng, &distractors).clone();
        let at = (rng.next_u64() as usize) % (order.len() + 1);
        order.insert(at, d);
    }
    // Sentences of 2–3 clauses.
    let mut profile = String::new();
    let mut i = 0;
    while i < order.len() {
        let n = range(rng, 2, 3) as usize;
        let part = &order[i..(i + n).min(order.len())];
        profile.push_str(&part.join("，"));
        profile.push('。');
        i += n;
    }
    if !profile.starts_with(name) {
        profile = format!("{name}位于{place}。{profile}");
    }
    profile
}

/// The filler sections, sized to the pages the case may use (a full text page holds about 1,250
/// characters); `write_synth_book` trims paragraphs until the case fits.
fn filler(rng: &mut Rng, pages: u32, blocks: &mut Vec<Block>) {
    let budget = (pages as usize * 1250).saturating_sub(900);
    let mut used = 0;
    for (k, heading) in ["特色工作", "创建成效"].iter().enumerate() {
        blocks.push(Block::Section {
            text: heading.to_string(),
        });
        let share = if k == 0 { budget * 2 / 3 } else { budget / 3 };
        let mut para = String::new();
        while used < budget && para.chars().count() < share {
            let s = pick(rng, &FILLER);
            para.push_str(s);
            if para.chars().count() > 180 {
                used += para.chars().count();
                blocks.push(Block::Para {
                    text: std::mem::take(&mut para),
                });
            }
        }
        if !para.is_empty() {
            used += para.chars().count();
            blocks.push(Block::Para { text: para });
        }
    }
}

/// The case of one contents entry: a profile with generated facts, then filler sections.
pub fn case(index: usize, entry: &ContentsEntry, pages: u32, rng: &mut Rng) -> SynthCase {
    let town = format!(
        "{}{}",
        pick(rng, &TOWN),
        if chance(rng, 0.5) { "街道" } else { "镇" }
    );
    let kind = *pick(rng, &["居民区", "居民区", "小区", "村"]);
    let community = format!(
        "{}{}{kind}",
        COMMUNITY[index % COMMUNITY.len()],
        SUFFIX[index / COMMUNITY.len() % SUFFIX.len()]
    );
    let name = community.clone();
    let f = SynthFacts::draw(rng);
    let (households, population, green, founded, elderly, migrant) = (
        f.households,
        f.population,
        f.green,
        f.founded,
        f.elderly,
        f.migrant,
    );
    let profile = profile(rng, &f, &name, &format!("{}{town}", entry.district));

    let mut blocks = vec![
        Block::CaseTitle {
            text: entry.title.clone(),
        },
        Block::Subtitle {
            text: format!("——{}{town}{community}", entry.district),
        },
        Block::Section {
            text: "社区概况".into(),
        },
        Block::Para { text: profile },
        Block::Figure {
            captions: vec!["图1".into()],
        },
    ];
    filler(rng, pages, &mut blocks);
    let gold = serde_json::json!({
        "source": format!("p{:03}", entry.page),
        "page": format!("p{:03}", entry.page),
        "district": entry.district,
        "community": community,
        "households": households,
        "population": population,
        "green_rate": green,
        "founded_year": founded,
        "elderly_share": elderly,
        "migrant_share": migrant,
    });
    SynthCase {
        section: Section {
            kind: PageKind::Case,
            first_page: Some(entry.page),
            max_pages: pages,
            district: Some(entry.district.clone()),
            contents_title: Some(entry.title.clone()),
            blocks,
        },
        gold,
    }
}

/// The synthetic edition: the real front matter and contents, a divider per chapter and a generated
/// case per contents entry. Returns the document and the gold records.
pub fn document(real: &Document, seed: u64) -> (Document, Vec<serde_json::Value>) {
    let mut rng = Rng::new(seed);
    let mut sections: Vec<Section> = real
        .sections
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                PageKind::Cover | PageKind::Front | PageKind::Contents
            )
        })
        .cloned()
        .collect();
    let entries = &real.contents;
    let mut gold = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let new_chapter = i == 0 || entries[i - 1].chapter != e.chapter;
        if new_chapter {
            sections.push(Section {
                kind: PageKind::Chapter,
                first_page: Some(e.page.saturating_sub(1)),
                max_pages: 1,
                district: Some(e.district.clone()),
                contents_title: Some(e.chapter_title.clone()),
                blocks: vec![
                    Block::Space(80.0),
                    Block::Centered {
                        text: e.chapter.to_string(),
                        style: Style::ChapterNumber,
                    },
                    Block::Space(8.0),
                    Block::Centered {
                        text: e.chapter_title.clone(),
                        style: Style::ChapterName,
                    },
                ],
            });
        }
        let next = entries.get(i + 1);
        let gap = match next {
            // The next chapter's divider takes the page before its first case.
            Some(n) if n.chapter != e.chapter => n.page.saturating_sub(e.page + 1),
            Some(n) => n.page - e.page,
            None => 4,
        };
        let c = case(i, e, gap.clamp(1, 5), &mut rng);
        sections.push(c.section);
        gold.push(c.gold);
    }
    (
        Document {
            sections,
            contents: real.contents.clone(),
        },
        gold,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_round_trip_through_the_parser() {
        assert_eq!(chinese(1224), "一千二百二十四");
        assert_eq!(chinese(3095), "三千零九十五");
        assert_eq!(chinese(12000), "一万两千");
        assert_eq!(chinese(15), "十五");
        for n in [7, 10, 19, 105, 1001, 2300, 20_406, 99_999] {
            let v = greenbook::text::numerals::parse_chinese(&chinese(n));
            assert_eq!(v, Some(n as f64), "{n} → {}", chinese(n));
        }
    }
}
