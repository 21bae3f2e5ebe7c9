use crate::util::*;
use greenbook::book::{self, PageText};
use greenbook::extract;

fn gold(name: &str) -> Vec<serde_json::Value> {
    greenbook::io::read_json_lines::<serde_json::Value>(&root().join("tests/data").join(name))
        .unwrap()
}

/// The synthetic full book (laid out, not rasterised: its truth text is exact): all 80 cases
/// found, each matched to its contents entry, and F1 ≥ 0.95 per field against its gold; the same
/// seed gives the same book.
#[test]
fn synthetic_book_structure_and_extraction_f1() {
    use greenbook_synth::{excerpt, render, synth};
    let text = std::fs::read_to_string(scans().join("source/excerpt.txt")).unwrap();
    let real = excerpt::parse(&text);
    let (doc, gold) = synth::document(&real, 7);
    let (_, gold_again) = synth::document(&real, 7);
    assert_eq!(gold, gold_again);
    assert_ne!(gold, synth::document(&real, 8).1);
    assert_eq!(gold.len(), 80);
    let fonts = render::FontSet::load(Path::new(render::DEFAULT_FONT_DIR)).unwrap();
    let pages: Vec<PageText> = render::plan(&doc, &fonts, 7)
        .iter()
        .map(|p| PageText::transcription(&p.label, &p.label, p.truth()))
        .collect();
    let b = book::read(&pages);
    assert_eq!(b.contents.len(), 80);
    assert_eq!(b.cases.len(), 80);
    assert!(b.cases.iter().all(|c| c.contents.is_some()));
    let predicted: Vec<_> = extract::extract(&b, &pages)
        .iter()
        .map(extract::jsonl_record)
        .collect();
    for s in extract::score(&predicted, &gold) {
        assert!(s.f1() >= 0.95, "{}: {s:?}", s.field);
    }
}

fn truth_pages() -> Vec<PageText> {
    greenbook::pipeline::extract_text::read_text_pages(&[scans().join("truth")])
        .unwrap()
        .0
}

#[test]
fn contents_has_80_cases_in_16_districts_from_truth() {
    let b = book::read(&truth_pages());
    assert_eq!(b.contents.len(), 80);
    let districts: std::collections::BTreeSet<_> =
        b.contents.iter().map(|e| e.district.clone()).collect();
    assert_eq!(districts.len(), 16);
    let last = b.contents.last().unwrap();
    assert_eq!(
        (last.chapter, last.page, last.district.as_str()),
        (16, 329, "崇明区")
    );
}

/// End to end from the committed scans through real OCR: every stated fact of the three real cases.
#[test]
fn real_cases_end_to_end_from_scans() {
    let cache = tmp();
    let sources: Vec<_> = input::read_manifest(&scans().join("manifest.csv"))
        .unwrap()
        .into_iter()
        .filter(|p| {
            !matches!(
                p.kind,
                Some(input::PageKind::Cover | input::PageKind::Front)
            )
        })
        .collect();
    let ocr_pages = ocr::run(&sources, &opts(cache.path()), &Quiet).unwrap();
    let pages: Vec<PageText> = greenbook::pipeline::store::page_texts(&ocr_pages);
    let b = book::read(&pages);
    assert!(
        b.contents.len() == 80,
        "contents entries read from OCR: {}",
        b.contents.len()
    );
    assert_eq!(b.cases.len(), 3);
    assert_eq!(
        b.cases.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c002", "c005", "c008"]
    );
    let facts = extract::extract(&b, &pages);
    let predicted: Vec<_> = facts.iter().map(extract::jsonl_record).collect();
    for s in extract::score(&predicted, &gold("gold_real.jsonl")) {
        assert_eq!((s.fp, s.fn_), (0, 0), "{}: {s:?}\n{predicted:#?}", s.field);
    }
    // Every case found. Tesseract reads the rare 崑 as 姑 (绿地姑廉); the default engine reads all three
    // names exactly (`run` in pipeline.rs). A name one character off is found, not exact.
    let names: Vec<_> = predicted.iter().map(|p| p["community"].clone()).collect();
    let (found, exact) = extract::names_exact(&predicted, &gold("gold_real.jsonl"));
    assert!(found == 3 && exact >= 2, "{found} {exact} {names:?}");
    let mut damaged = predicted.clone();
    damaged[2]["community"] = serde_json::json!("东カ居民区");
    let got = extract::names_exact(&damaged, &gold("gold_real.jsonl"));
    assert_eq!(got, (3, exact - 1));
    // Provenance: page, sentence holding the number, page confidence, sub-estate scope for 东力.
    let dongli = facts.iter().find(|c| c.case_id == "c008").unwrap();
    let hh = dongli
        .facts
        .iter()
        .find(|f| f.figure.field == extract::Field::Households)
        .unwrap();
    assert_eq!(hh.figure.page, "p008");
    assert!(hh.figure.sentence.contains("1224户"));
    let span: String = hh
        .figure
        .sentence
        .chars()
        .skip(hh.figure.span.0)
        .take(hh.figure.span.1 - hh.figure.span.0)
        .collect();
    assert!(span.contains("1224"), "span {span:?}");
    assert!(hh.figure.page_conf.is_some_and(|c| c > 50.0));
    assert_eq!(
        hh.figure.scope,
        extract::Scope::SubEstate("东力新村".into())
    );
    let pop = facts[0]
        .facts
        .iter()
        .find(|f| f.figure.field == extract::Field::Population)
        .unwrap();
    assert_eq!(
        (pop.figure.value, pop.figure.qualifier),
        (8000.0, greenbook::text::numerals::Qualifier::Approx)
    );
    // Missing is null, never 0.
    assert_eq!(facts[1].values.get(extract::Field::Population), None);
    assert_eq!(facts[1].values.get(extract::Field::GreenRate), None);
}

/// The `extract --jsonl` records of a folder of text pages under tests/data.
fn predicted_from(folder: &str) -> Vec<serde_json::Value> {
    let (pages, errors) = greenbook::pipeline::extract_text::read_text_pages(&[root()
        .join("tests/data")
        .join(folder)])
    .unwrap();
    assert!(errors.is_empty());
    let (_, facts) = greenbook::pipeline::extract_text::extract_pages(&pages);
    facts.iter().map(extract::jsonl_record).collect()
}

#[test]
fn varied_set_f1_at_least_098_per_field() {
    let predicted = predicted_from("varied");
    for s in extract::score(&predicted, &gold("gold_varied.jsonl")) {
        assert!(s.f1() >= 0.98, "{}: F1 {:.3} {s:?}", s.field, s.f1());
    }
}

/// The frozen outside corpora (tests/data/outside to outside9: SYNTHETIC profiles in five
/// source genres, each written and committed before it was first run through the rules), each half
/// scored against its gold. The floors are what the rules reach now (BENCHMARKS.md, "Facts from unseen
/// writing"); a wrong figure stays rarer than a missing one.
#[test]
fn outside_corpora_f1_floors_and_precision_over_recall() {
    for (folder, gold_file, halves) in [
        (
            "outside",
            "gold_outside.jsonl",
            &[("tune", 30, OUTSIDE_TUNE_F1), ("report", 30, 0.98)][..],
        ),
        (
            "outside2",
            "gold_outside2.jsonl",
            &[
                ("tune", 20, OUTSIDE_TUNE_F1),
                ("report", 20, OUTSIDE_TUNE_F1),
            ][..],
        ),
        (
            "outside3",
            "gold_outside3.jsonl",
            &[("tune", 20, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside4",
            "gold_outside4.jsonl",
            &[("tune", 25, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside5",
            "gold_outside5.jsonl",
            &[("tune", 25, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside6",
            "gold_outside6.jsonl",
            &[("tune", 20, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside7",
            "gold_outside7.jsonl",
            &[("tune", 25, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside8",
            "gold_outside8.jsonl",
            &[("tune", 30, OUTSIDE_TUNE_F1)][..],
        ),
        (
            "outside9",
            "gold_outside9.jsonl",
            &[("report", 30, OUTSIDE9_F1)][..],
        ),
    ] {
        let predicted = predicted_from(folder);
        let all = gold(gold_file);
        for &(half, cases, floor) in halves {
            let gold: Vec<serde_json::Value> =
                all.iter().filter(|g| g["split"] == half).cloned().collect();
            assert_eq!(gold.len(), cases, "{folder} {half}");
            let pages: std::collections::HashSet<&str> =
                gold.iter().filter_map(|g| g["page"].as_str()).collect();
            let mine: Vec<serde_json::Value> = predicted
                .iter()
                .filter(|p| p["page"].as_str().is_some_and(|l| pages.contains(l)))
                .cloned()
                .collect();
            let scores = extract::score(&mine, &gold);
            let (tp, fp, fn_) = scores
                .iter()
                .fold((0, 0, 0), |a, s| (a.0 + s.tp, a.1 + s.fp, a.2 + s.fn_));
            let f1 = 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
            eprintln!("{folder} {half}: tp {tp} fp {fp} fn {fn_} F1 {f1:.3} {scores:?}");
            assert!(
                f1 >= floor,
                "{folder} {half}: micro F1 {f1:.3} under {floor}"
            );
            assert!(
                fp <= fn_,
                "{folder} {half}: {fp} wrong figures against {fn_} missing"
            );
            let (found, exact) = extract::names_exact(&mine, &gold);
            assert_eq!(
                (found, exact),
                (cases, cases),
                "{folder} {half}: cases found, names exact"
            );
        }
    }
}

/// The micro F1 floor of the halves rules were chosen on.
const OUTSIDE_TUNE_F1: f64 = 0.99;
/// The micro F1 floor of outside9, which no rule was chosen on (its first and only measurement: 0.989).
const OUTSIDE9_F1: f64 = 0.98;

#[test]
fn extract_cli_jsonl_keys_and_garbled_input() {
    let dir = tmp();
    std::fs::copy(
        root().join("tests/data/varied/v02.txt"),
        dir.path().join("a.txt"),
    )
    .unwrap();
    std::fs::write(dir.path().join("b.txt"), b"\xff\xfe\x00garbage\x80").unwrap();
    let out = bin()
        .args(["extract", "--jsonl", "--text"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_exit_naming(&out, 3, &["b.txt", "UTF-8"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rec: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let keys: std::collections::BTreeSet<&str> = rec
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let want: std::collections::BTreeSet<&str> = [
        "source",
        "page",
        "district",
        "community",
        "households",
        "population",
        "green_rate",
        "founded_year",
        "elderly_share",
        "migrant_share",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, want);
    assert_eq!(rec["households"], 2300);
    assert_eq!(rec["migrant_share"], 25.0);
}

/// Property: no input text makes the numeral parser or the extractor panic.
#[test]
fn extraction_never_panics_and_every_span_points_into_its_text() {
    let alphabet: Vec<char> =
        "0123456789０１２％%.,， 约余多近超过以上左右百分之三成四分之一二〇两万千百十亿户人年绿化率老年人外来人口其中新村——\n社区概况OlI。；、：图"
            .chars()
            .collect();
    let mut rng = greenbook_synth::degrade::Rng::new(7);
    let (mut numbers, mut facts) = (0, 0);
    for _ in 0..3000 {
        let len = (rng.unit() * 60.0) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(rng.unit() * alphabet.len() as f32) as usize % alphabet.len()])
            .collect();
        let chars = s.chars().count();
        for n in greenbook::text::numerals::find_numbers(&s) {
            assert!(n.start < n.end && n.end <= chars, "{s:?}: {n:?}");
            assert!(n.value.is_finite(), "{s:?}: {n:?}");
            numbers += 1;
        }
        let page = PageText::transcription("x", "x", format!("标题\n——浦东新区某镇某居民区\n{s}"));
        let pages = [page];
        let b = book::read(&pages);
        assert_eq!(b.cases.len(), 1, "the subtitle starts a case: {s:?}");
        for case in extract::extract(&b, &pages) {
            for f in &case.facts {
                let n = f.figure.sentence.chars().count();
                assert!(
                    f.figure.span.0 < f.figure.span.1 && f.figure.span.1 <= n,
                    "{f:?}"
                );
                let taken: String = f
                    .figure
                    .sentence
                    .chars()
                    .skip(f.figure.span.0)
                    .take(f.figure.span.1 - f.figure.span.0)
                    .collect();
                assert!(
                    taken.chars().any(|c| c.is_ascii_digit()
                        || "０１２〇一二两三四五六七八九十百千万半成".contains(c)),
                    "span {taken:?} of {f:?} holds no numeral"
                );
                assert_eq!(f.figure.page, "x");
                facts += 1;
            }
        }
    }
    // The loop reached the parser and the extractor, not only the early returns.
    assert!(
        numbers > 3000 && facts > 100,
        "{numbers} numbers, {facts} facts"
    );
}

/// The six facts `extract` takes from one profile, set in a case page of the book's structure.
fn facts_of(profile: &str) -> serde_json::Value {
    extract::jsonl_record(&case_of(profile))
}

/// The case `extract` reads from one profile, set in a case page of the book's structure.
fn case_of(profile: &str) -> extract::CaseFacts {
    case_under("黄浦区半淞园路街道耀江居民区", profile)
}

/// The case of one profile whose subtitle (after ——) is `subtitle`.
fn case_under(subtitle: &str, profile: &str) -> extract::CaseFacts {
    let page = format!(
        "示范案例一\n——{subtitle}\n社区概况\n{profile}\n特色工作\n居委会组织志愿者开展活动。\n"
    );
    let pages = vec![PageText::transcription("t01", "t01", page.clone())];
    let mut facts = extract::extract(&book::read(&pages), &pages);
    assert_eq!(facts.len(), 1, "{page}");
    facts.remove(0)
}

/// Each keyword class names its fact however the profile words it.
#[test]
fn keyword_classes_name_their_facts() {
    let f = |p: &str, field: &str| facts_of(p)[field].as_f64();
    // Age bands and group names of the elderly.
    assert_eq!(f("65周岁以上老人占比近四成。", "elderly_share"), Some(40.0));
    assert_eq!(f("60岁及以上居民占18%。", "elderly_share"), Some(18.0));
    assert_eq!(f("户籍老年人口比例为28%。", "elderly_share"), Some(28.0));
    assert_eq!(f("小区“银发族”占比21%。", "elderly_share"), Some(21.0));
    // Ratios in words.
    assert_eq!(
        f("我们小区每三个居民中就有一个是老年人。", "elderly_share"),
        Some(33.33)
    );
    assert_eq!(
        f("外来务工人员约占总人口的一成半。", "migrant_share"),
        Some(15.0)
    );
    assert_eq!(f("老人占了将近一半。", "elderly_share"), Some(50.0));
    // Non-local residents under their names; foreigners are not among them.
    for p in [
        "非本市户籍人员占比为18.6%。",
        "外省市来沪人员约占18.6%。",
        "流动人口约占18.6%。",
        "新上海人占比18.6%。",
    ] {
        assert_eq!(f(p, "migrant_share"), Some(18.6), "{p}");
    }
    assert_eq!(f("境外人士占比5%。", "migrant_share"), None);
    // Head counts with measure words and verbs.
    assert_eq!(f("居住着约4,800位居民。", "population"), Some(4800.0));
    assert_eq!(
        f("目前居住着1,480户家庭、3,900余名居民。", "population"),
        Some(3900.0)
    );
    assert_eq!(f("实际居住5,700余人。", "population"), Some(5700.0));
    assert_eq!(f("注册志愿者297名。", "population"), None);
    // Verbs of founding; a renovation is not one; an estate's completion beats a committee's founding.
    for verb in ["交房", "交付使用", "入住", "竣工", "建成投用", "落成"] {
        assert_eq!(
            f(&format!("小区于2005年{verb}。"), "founded_year"),
            Some(2005.0),
            "{verb}"
        );
    }
    assert_eq!(f("2019年完成了综合改造。", "founded_year"), None);
    assert_eq!(
        f("居民区成立于2011年，所辖小区2010年交房。", "founded_year"),
        Some(2010.0)
    );
    // A form's rows, one a line; then a form whose labels give the unit (绿地率（%）), with a share
    // after its count.
    for (form, expected) in [
        (
            "建成年份：1997年\n住户数：1,560户\n常住人口：4,100人\n60岁以上：占27%\n绿化率：34%",
            [
                Some(1560.0),
                Some(4100.0),
                Some(34.0),
                Some(1997.0),
                Some(27.0),
                None,
            ],
        ),
        (
            "住户数（户）：2,350\n其中：60周岁以上（人）：1,150，占18%\n来沪人员（人）：2,300，占36%\n绿地率（%）：36",
            [Some(2350.0), None, Some(36.0), None, Some(18.0), Some(36.0)],
        ),
    ] {
        let read = facts_of(form);
        for (field, want) in extract::Field::ALL.iter().zip(expected) {
            assert_eq!(read[field.name()].as_f64(), want, "{field} of {form}");
        }
    }
    assert_eq!(
        f("绿化率：39%（区平均水平为34%）", "green_rate"),
        Some(39.0)
    );
    // A post's plus sign; a group named after a count is another figure's.
    assert_eq!(
        f("1,450户 | 3,600+居民这里的老人家占了四成，", "population"),
        Some(3600.0)
    );
    assert_eq!(
        f("常住人口：2,300人（含外籍人士约400人）", "population"),
        Some(2300.0)
    );
    // 这一比例: the measure of the sentence before.
    assert_eq!(
        f(
            "全市60岁及以上户籍老年人口占户籍总人口的37.4%。在耀江居民区，这一比例为28%。",
            "elderly_share"
        ),
        Some(28.0)
    );
    // A share in words restated exactly in the clause after it.
    assert_eq!(
        f("老年人占比超过一半，达到52%。", "elderly_share"),
        Some(52.0)
    );
}

/// Two figures of equal standing that disagree leave the value null; both are recorded as refused,
/// each naming the other. A part in a parenthesis is no rival; nor is one figure given twice.
#[test]
fn disagreeing_figures_leave_the_value_null_with_both_refused() {
    let case = case_of("小区常住人口3,010人。居民区实有人口4,200人。");
    assert_eq!(case.values.get(extract::Field::Population), None);
    let refused: Vec<&extract::Refused> = case
        .refused
        .iter()
        .filter(|r| r.field == extract::Field::Population)
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].reason.contains("4,200"), "{refused:?}");
    assert!(refused[1].reason.contains("3,010"), "{refused:?}");
    let f = |p: &str, field: &str| facts_of(p)[field].as_f64();
    assert_eq!(
        f("常住人口3,900人（其中户籍人口2100人）。", "population"),
        Some(3900.0)
    );
    assert_eq!(
        f("常住人口约4,000人。小区居住着4,012人。", "population"),
        Some(4000.0)
    );
    assert_eq!(
        f("老年人占比近四成。60岁以上老人占38%。", "elderly_share"),
        Some(40.0)
    );
}

/// A figure that belongs to someone else is refused, and says why.
#[test]
fn someone_elses_figure_is_refused_with_its_reason() {
    let f = |p: &str, field: &str| facts_of(p)[field].as_f64();
    // A street's or town's, a district's average, a neighbour's, the parent estate's.
    assert_eq!(
        f(
            "半淞园路街道常住人口约7.6万人。小区居住着3,010人。",
            "population"
        ),
        Some(3010.0)
    );
    assert_eq!(
        f(
            "老年人口比例为38%，高于黄浦区28%的平均水平。",
            "elderly_share"
        ),
        Some(38.0)
    );
    assert_eq!(f("全区平均绿化率为42%。", "green_rate"), None);
    assert_eq!(
        f("小区绿化率32%（邻近的锦苑居民区为35%）。", "green_rate"),
        Some(32.0)
    );
    assert_eq!(
        f(
            "相邻的十二村居民区有住户2,400户。耀江居民区有住户1,870户。",
            "households"
        ),
        Some(1870.0)
    );
    assert_eq!(
        f(
            "曲阳新村始建于1979年。耀江居民区所辖房屋于1984年竣工。",
            "founded_year"
        ),
        Some(1984.0)
    );
    assert_eq!(f("与1987年建成的通河七村相邻。", "founded_year"), None);
    // The parent new village of a numbered estate (莘松新村 of 莘松五村) is someone else.
    let parent = case_under(
        "闵行区莘庄镇莘松五村居民区",
        "莘松新村1986年开始建设。莘松五村1990年建成。",
    );
    assert_eq!(parent.values.get(extract::Field::FoundedYear), Some(1990.0));
    assert_eq!(
        f(
            "所在新村：凤城新村（始建于1958年）\n本小区建成时间：1980年",
            "founded_year"
        ),
        Some(1980.0)
    );
    // A category the community is one of; a standard it is compared with.
    assert_eq!(
        f(
            "耀江居民区是街道建设的重点片区之一，共有住户2,130户。",
            "households"
        ),
        Some(2130.0)
    );
    assert_eq!(
        f("耀江居民区略高于全区平均水平，绿化率为35%。", "green_rate"),
        Some(35.0)
    );
    assert_eq!(
        f("小区绿化率为36%，高于全镇33%的平均水平。", "green_rate"),
        Some(36.0)
    );
    // One part among those the sentence lists.
    assert_eq!(
        f(
            "辖区内既有石库门里弄，也有2003年落成的多伦公寓。",
            "founded_year"
        ),
        None
    );
    // A count with a fraction (a speck between digits read as a point) is doubtful: none is taken.
    assert_eq!(f("常住人口约102.73人。", "population"), None);
    assert_eq!(f("常住人口约1.2万人。", "population"), Some(12000.0));
    // The value before a change, and the size of one.
    assert_eq!(
        f("改造后小区绿化率由25%提升至31%。", "green_rate"),
        Some(31.0)
    );
    assert_eq!(
        f("绿化率从改造前的22%提升到了30%。", "green_rate"),
        Some(30.0)
    );
    // The reason is kept with the fact taken.
    let case = case_of("半淞园路街道常住人口约7.6万人。小区居住着3,010人。");
    let pop = case
        .facts
        .iter()
        .find(|x| x.figure.field == extract::Field::Population)
        .unwrap();
    assert!(
        pop.why.contains("3,010") && pop.why.contains("this community"),
        "{}",
        pop.why
    );
    assert_eq!(pop.refused.len(), 1, "{:?}", pop.refused);
    assert!(
        pop.refused[0].reason.contains("半淞园路街道"),
        "{:?}",
        pop.refused
    );
}

/// A second, SYNTHETIC edition's file in `dir`: other districts, another chapter suffix, other section
/// headings, another subtitle dash and a word of its own for the green rate (绿化指标).
fn second_edition(dir: &Path) -> PathBuf {
    let edition = dir.join("beijing.toml");
    std::fs::write(
        &edition,
        r#"[book]
title = "社区绿化实践 北京案例汇编"
editors = ["北京某编写组"]
publisher = "某出版社"
year = 2024
language = "zh-CN"

[structure]
districts = ["东城区", "西城区", "朝阳区"]
chapter_suffix = "绿色社区实践"
sections = ["基本情况", "主要做法"]
profile_section = "基本情况"
subtitle_leads = ["～"]
district_suffixes = ["区"]
town_suffixes = ["街道", "镇", "乡"]
area_suffixes = ["园区"]
community_suffixes = ["居民区", "社区"]
"#
        .to_string()
            // The same kind of book: the default edition's fact vocabulary.
            + &std::fs::read_to_string(root().join("editions/shanghai-green-communities-2023.toml"))
                .unwrap()
                .split_once("[facts]")
                .map(|(_, facts)| format!("\n[facts]{facts}"))
                // …with one word of its own for the green rate.
                .map(|facts| facts.replacen("green = [", "green = [\"绿化指标\", ", 1))
                .unwrap(),
    )
    .unwrap();
    edition
}

/// The second edition's case, as its pages print it: chapter, title, subtitle, profile.
const SECOND_EDITION_CASE: [&str; 7] = [
    "西城区绿色社区实践",
    "案例三",
    "～～西城区月坛街道三里河居民区",
    "基本情况",
    "三里河居民区建成于1985年，现有住户1,620户，常住人口3,900人，老年人口占比42%，外来人口占比11%，绿化指标为30%。",
    "主要做法",
    "2023年新增绿地，绿化率提高了3个百分点。",
];

/// The facts of [`SECOND_EDITION_CASE`].
fn assert_second_edition_case(c: &serde_json::Value) {
    assert_eq!(c["district"], "西城区", "{c}");
    assert_eq!(c["community"], "三里河居民区", "{c}");
    for (field, want) in [
        ("households", 1620.0),
        ("population", 3900.0),
        ("founded_year", 1985.0),
        ("elderly_share", 42.0),
        ("migrant_share", 11.0),
        ("green_rate", 30.0),
    ] {
        assert_eq!(c[field].as_f64(), Some(want), "{field}: {c}");
    }
}

/// The second edition read with `--edition FILE` and no change of code. Without the file the
/// built-in edition finds neither the district nor the profile's section.
#[test]
fn a_second_edition_is_read_from_its_file() {
    let dir = tmp();
    let edition = second_edition(dir.path());
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    std::fs::write(pages.join("p1.txt"), SECOND_EDITION_CASE.join("\n") + "\n").unwrap();
    let read = |with_edition: bool| {
        let mut cmd = bin();
        cmd.args(["extract", "--jsonl", "--text"]).arg(&pages);
        if with_edition {
            cmd.arg("--edition").arg(&edition);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let cases = read(true);
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_second_edition_case(&cases[0]);
    // The built-in edition knows neither 西城区, 基本情况 nor 绿化指标: no district, no green rate.
    let plain = read(false);
    assert!(
        plain
            .iter()
            .all(|c| c["district"] != "西城区" && c["green_rate"].is_null()),
        "{plain:?}"
    );
    // A bad edition file is refused, naming the file and the key, before anything is read.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&edition).unwrap().replace(
            "profile_section = \"基本情况\"",
            "profile_section = \"概况\"",
        ),
    )
    .unwrap();
    let out = bin()
        .args(["extract", "--jsonl", "--edition"])
        .arg(&bad)
        .arg("--text")
        .arg(&pages)
        .output()
        .unwrap();
    assert_exit_naming(&out, 4, &["bad.toml", "profile_section"]);
}

/// The second edition through `run`, from scanned pages (SYNTHETIC, rendered here) to the dataset and
/// the archive's metadata, with no change of code.
#[test]
fn a_second_edition_runs_from_scans_to_the_dataset() {
    let dir = tmp();
    let edition = second_edition(dir.path());
    let fonts = greenbook_synth::render::FontSet::load(Path::new(
        greenbook_synth::render::DEFAULT_FONT_DIR,
    ))
    .unwrap();
    let scans = in_dir(&dir);
    let (page, _) = greenbook_synth::render::text_page(&fonts, &SECOND_EDITION_CASE, 11).unwrap();
    std::fs::write(scans.join("p1.png"), page).unwrap();
    let out = dir.path().join("out");
    let r = bin()
        .args([
            "run",
            "-q",
            "--no-cache",
            "--date",
            "2026-11-29",
            "--edition",
        ])
        .arg(&edition)
        .arg("-o")
        .arg(&out)
        .arg(&scans)
        .output()
        .unwrap();
    assert_exit(&r, 0);
    let ds = greenbook::dataset::Dataset::read(&out).unwrap();
    assert_eq!(ds.cases.len(), 1, "{:?}", ds.cases);
    let c = &ds.cases[0];
    let json = serde_json::json!({
        "district": c.district,
        "community": c.community,
        "households": c.values.int(extract::Field::Households),
        "population": c.values.int(extract::Field::Population),
        "founded_year": c.values.int(extract::Field::FoundedYear),
        "elderly_share": c.values.get(extract::Field::ElderlyShare),
        "migrant_share": c.values.get(extract::Field::MigrantShare),
        "green_rate": c.values.get(extract::Field::GreenRate),
    });
    assert_second_edition_case(&json);
    // The archive names the second book.
    let mets = std::fs::read_to_string(out.join("mets.xml")).unwrap();
    assert!(mets.contains("社区绿化实践 北京案例汇编"), "{mets}");
}
