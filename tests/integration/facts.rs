//! Facts from profiles (#16): each phrasing the issue names, the plausibility flags, the confidence of a
//! fact, and both in `facts.parquet` (read back) and the digest's data-quality notes.

use crate::util::page as page_source;
use crate::util::*;
use greenbook::book::{self, PageText};
use greenbook::extract::{CaseFacts, Field, Flag};

/// A case page with `profile` as its 社区概况, optionally with OCR words (text, confidence 0–100).
fn profile_page(profile: &str, words: &[(&str, f32)]) -> PageText {
    PageText {
        label: "p010".into(),
        source: "p010.png".into(),
        text: format!(
            "共建绿色家园\n——浦东新区高行镇测试居民区\n社区概况\n{profile}\n特色工作\n开展活动。\n"
        ),
        conf: (!words.is_empty()).then_some(90.0),
        words: words.iter().map(|(t, c)| (t.to_string(), *c)).collect(),
        alternates: Vec::new(),
    }
}

fn case(profile: &str, words: &[(&str, f32)]) -> CaseFacts {
    let pages = [profile_page(profile, words)];
    let b = book::read(&pages);
    assert_eq!(b.cases.len(), 1, "{profile}");
    extract::extract(&b, &pages).remove(0)
}

fn value(c: &CaseFacts, f: Field) -> Option<f64> {
    c.values.get(f)
}

#[test]
fn each_phrasing_the_issue_names_is_read() {
    // A count typeset with spaces around the number.
    assert_eq!(
        value(
            &case("辖区内住户 856 户，常住人口 2 140 人。", &[]),
            Field::Households
        ),
        Some(856.0)
    );
    // 约 + a Chinese numeral + 万.
    let c = case("社区人口约两万，共有居民6200余户。", &[]);
    assert_eq!(value(&c, Field::Population), Some(20000.0));
    // A share given after its count.
    let c = case(
        "老年人口912人，占总人口的42.6%。外来人口4100人，占比20.5%。",
        &[],
    );
    assert_eq!(value(&c, Field::ElderlyShare), Some(42.6));
    assert_eq!(value(&c, Field::MigrantShare), Some(20.5));
    assert_eq!(
        value(&c, Field::Population),
        None,
        "a group's count is no population"
    );
    // Sub-area figures and the total: the total wins wherever it stands.
    let after = case("A小区1200户，B小区800户，总户数2000户。", &[]);
    assert_eq!(value(&after, Field::Households), Some(2000.0));
    let before = case(
        "社区共有住户3150户，其中天地苑1800户、华丽家园1350户。",
        &[],
    );
    assert_eq!(value(&before, Field::Households), Some(3150.0));
    // A label, then the value in a clause of its own.
    let c = case(
        "基本情况如下：户数，2 860；人口，7 450；建成年份，2008年。",
        &[],
    );
    assert_eq!(
        (
            value(&c, Field::Households),
            value(&c, Field::Population),
            value(&c, Field::FoundedYear)
        ),
        (Some(2860.0), Some(7450.0), Some(2008.0))
    );
    // A stray space OCR left inside a count (spaced type) is not a second number.
    let c = case("辖区内共151 3户，实有人口702 5人。", &[]);
    assert_eq!(value(&c, Field::Households), Some(1513.0));
    assert_eq!(value(&c, Field::Population), Some(7025.0));
    // A range is its midpoint, approximate; a resident head count beats a registered one.
    let c = case("住户1200—1300户，户籍人口4200人，常住人口5600人。", &[]);
    assert_eq!(value(&c, Field::Households), Some(1250.0));
    assert_eq!(value(&c, Field::Population), Some(5600.0));
    let hh = c
        .facts
        .iter()
        .find(|f| f.figure.field == Field::Households)
        .unwrap();
    assert_eq!(hh.figure.qualifier, Qualifier::Approx);
    // Non-Shanghai residents (非沪籍) are the migrants, and their count no population; the green
    // area's share is the green rate.
    let c = case(
        "实有人口3590人，共1245户。非沪籍人口726人，占实有人口的20.2%。小区绿化面积占比35%。",
        &[],
    );
    assert_eq!(value(&c, Field::MigrantShare), Some(20.2));
    assert_eq!(value(&c, Field::Population), Some(3590.0));
    assert_eq!(value(&c, Field::GreenRate), Some(35.0));
    // A head count joined to the household count, with a verb after it.
    let c = case("2002年交房，3,100户、8,600多人住在这里～绿化率40%。", &[]);
    assert_eq!(value(&c, Field::Population), Some(8600.0));
    // An age band written 60+ names the elderly's share and is no head count.
    let c = case("1,380户 · 3,150位居民。60+居民比例：38%。", &[]);
    assert_eq!(value(&c, Field::Population), Some(3150.0));
    assert_eq!(value(&c, Field::ElderlyShare), Some(38.0));
    // A share in words restated exactly a few words on.
    let c = case("其中七成以上为老年人（71%），外来租户占比15%左右。", &[]);
    assert_eq!(value(&c, Field::ElderlyShare), Some(71.0));
    // A year that dates an estate; a post's label 绿化; a count, then another group's share.
    let c = case("1985年的老小区，1,240户、2,900人。绿化：36%。", &[]);
    assert_eq!(value(&c, Field::FoundedYear), Some(1985.0));
    assert_eq!(value(&c, Field::GreenRate), Some(36.0));
    let c = case("住户2,100户｜常住约5,900人老人约占18%｜", &[]);
    assert_eq!(value(&c, Field::Population), Some(5900.0));
    // A span of years: its first is the founding; the value before the works is not the value.
    let c = case(
        "所辖小区于1979年至1983年间陆续建成，改造后绿化率达到32%（改造前18%）。",
        &[],
    );
    assert_eq!(value(&c, Field::FoundedYear), Some(1979.0));
    assert_eq!(value(&c, Field::GreenRate), Some(32.0));
    let c = case("该居民区系2003年新建小区，现有居民1,268户。", &[]);
    assert_eq!(value(&c, Field::FoundedYear), Some(2003.0));
    // A share whose own clause says only 比例为, after the group's count; a registered count known
    // by its form label.
    let c = case(
        "居民中60岁以上的有1,010人，比例为28%；来沪人员1,080人，比例为30%。",
        &[],
    );
    assert_eq!(value(&c, Field::ElderlyShare), Some(28.0));
    assert_eq!(value(&c, Field::MigrantShare), Some(30.0));
    let c = case("常住人口：3,520人\n户籍人口：3,010人\n", &[]);
    assert_eq!(value(&c, Field::Population), Some(3520.0));
    // A decade is no year; the year in the parenthesis is.
    let c = case("小区建于1980年代初（1983年），现有居民1,020户。", &[]);
    assert_eq!(value(&c, Field::FoundedYear), Some(1983.0));
    // A form's committee founding loses to the estate's completion; a table written label｜value.
    let c = case(
        "居委会成立时间：2016年\n小区建成时间：2003年\n总户数｜1,880\n绿地面积占小区总面积比例：31%",
        &[],
    );
    assert_eq!(value(&c, Field::FoundedYear), Some(2003.0));
    assert_eq!(value(&c, Field::Households), Some(1880.0));
    assert_eq!(value(&c, Field::GreenRate), Some(31.0));
}

fn flags(c: &CaseFacts, f: Field) -> Vec<Flag> {
    c.facts
        .iter()
        .find(|x| x.figure.field == f)
        .map(|x| x.figure.flags.clone())
        .unwrap_or_default()
}

#[test]
fn each_plausibility_flag_is_recorded_and_the_value_kept() {
    let c = case("共有住户3000户，常住人口2000人。", &[]);
    assert_eq!(
        flags(&c, Field::Households),
        [Flag::HouseholdsOverPopulation]
    );
    assert_eq!(
        flags(&c, Field::Population),
        [Flag::HouseholdsOverPopulation]
    );
    assert_eq!(value(&c, Field::Households), Some(3000.0), "kept as read");
    let c = case("共有住户1000户，常住人口8000人。", &[]);
    assert_eq!(flags(&c, Field::Population), [Flag::PersonsPerHousehold]);
    let c = case("共有住户1000户，常住人口2500人。小区绿化率达75%。", &[]);
    assert!(flags(&c, Field::Households).is_empty());
    assert_eq!(flags(&c, Field::GreenRate), [Flag::GreenRateOver60]);
    let c = case("小区建于1930年，老年人占120%。", &[]);
    assert_eq!(flags(&c, Field::FoundedYear), [Flag::YearOutOfRange]);
    assert_eq!(flags(&c, Field::ElderlyShare), [Flag::ShareOver100]);
    let c = case("小区建于2025年。", &[]);
    assert_eq!(flags(&c, Field::FoundedYear), [Flag::YearOutOfRange]);
    // Low OCR confidence of the number's own characters (the rest of the page read well).
    let c = case(
        "共有住户1224户，常住人口3095人。",
        &[
            ("共有住户", 96.0),
            ("1224户", 41.0),
            ("常住人口3095人", 95.0),
        ],
    );
    assert_eq!(flags(&c, Field::Households), [Flag::LowOcrConfidence]);
    assert!(flags(&c, Field::Population).is_empty());
}

#[test]
fn confidence_is_the_rules_weight_times_the_ocr_confidence() {
    let conf = |c: &CaseFacts, f: Field| {
        c.facts
            .iter()
            .find(|x| x.figure.field == f)
            .unwrap()
            .figure
            .confidence
    };
    // A transcription: the rule's weight alone.
    let c = case("共有住户1224户。基本情况：人口，3 095。", &[]);
    assert_eq!(conf(&c, Field::Households), 1.0);
    assert!((conf(&c, Field::Population) - 0.9).abs() < 1e-6);
    // OCR: times the confidence of the number's word.
    let c = case("共有住户1224户。", &[("共有住户", 96.0), ("1224户", 80.0)]);
    assert!((conf(&c, Field::Households) - 0.8).abs() < 1e-6);
    let f = c
        .facts
        .iter()
        .find(|x| x.figure.field == Field::Households)
        .unwrap();
    assert_eq!(f.figure.ocr_conf, Some(0.8));
}

/// Flags and confidence reach `facts.parquet` (a list column and a Float32, read back) and the
/// district digest's data-quality notes.
#[test]
fn flags_and_confidence_reach_parquet_and_the_digest() {
    let text = profile_page("共有住户3000户，常住人口2000人。", &[]).text;
    let mut ocr = greenbook::ocr::PageOcr::blank(&page_source("p008"), "test");
    ocr.reading.text = text;
    ocr.reading.mean_conf = Some(95.0);
    let ds = greenbook::pipeline::store::build_dataset(std::slice::from_ref(&ocr));
    let t = tmp();
    ds.write(t.path(), "test").unwrap();
    let back = greenbook::dataset::Dataset::read(t.path()).unwrap();
    assert_eq!(back, ds);
    let hh = back
        .facts
        .iter()
        .find(|f| f.figure.field == Field::Households)
        .unwrap();
    assert_eq!(hh.figure.flags, [Flag::HouseholdsOverPopulation]);
    assert!(
        hh.figure.confidence > 0.9 && hh.figure.confidence <= 1.0,
        "{hh:?}"
    );
    let table = greenbook::dataset::Table::open(&t.path().join("facts.parquet")).unwrap();
    let schema = table.frame().schema();
    assert_eq!(
        format!("{:?}", schema.get("flags").unwrap()),
        "List(String)"
    );
    assert_eq!(
        format!("{:?}", schema.get("confidence").unwrap()),
        "Float32"
    );
    let digest = greenbook::publish::district_digest(&back, "浦东新区", 1, "2026-12-01", "test");
    let notes: Vec<&str> = digest
        .blocks
        .iter()
        .filter_map(|b| match b {
            greenbook::publish::Block::Para(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("户数“3,000”存疑") && n.contains("户数多于人口")),
        "{notes:?}"
    );
}

/// A partial scan: the committed case pages without the front matter and contents. Every case is still
/// found, with its district and facts; the run summary and the Parquet metadata say the contents were
/// absent.
#[test]
fn a_scan_without_contents_pages_still_yields_every_case() {
    let t = tmp();
    let dir = t.path().join("chapter");
    std::fs::create_dir_all(&dir).unwrap();
    for label in [
        "p001", "p002", "p003", "p004", "p005", "p006", "p007", "p008",
    ] {
        std::fs::copy(
            scans().join(format!("{label}.png")),
            dir.join(format!("{label}.png")),
        )
        .unwrap();
    }
    let out = t.path().join("out");
    let r = bin()
        .args(["run", "-q", "--date", "2026-12-01", "--jobs", "2"])
        .arg(&dir)
        .arg("-o")
        .arg(&out)
        .arg("--cache-dir")
        .arg(pipeline::shared_cache())
        .output()
        .unwrap();
    assert_exit(&r, 0);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("no contents pages in the scans; 3 cases found by their subtitles"),
        "{err}"
    );
    let ds = greenbook::dataset::Dataset::read(&out).unwrap();
    assert!(ds.contents.is_empty());
    let got: Vec<String> = ds
        .cases
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {:?} {:?}",
                c.case_id, c.district, c.community, c.printed_page
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            r#"p002 Some("浦东新区") Some("绿地崑廉居民区") None"#,
            r#"p005 Some("浦东新区") Some("华高新村第二居民区") None"#,
            r#"p008 Some("浦东新区") Some("东力居民区") None"#,
        ]
    );
    let dongli = ds.cases.iter().find(|c| c.case_id == "p008").unwrap();
    assert_eq!(dongli.values.int(Field::Households), Some(1224));
    assert_eq!(dongli.values.int(Field::Population), Some(3095));
    for name in greenbook::dataset::FILES {
        let md = greenbook::dataset::Table::metadata(&out.join(name)).unwrap();
        assert!(
            md.iter()
                .any(|(k, v)| k == "greenbook.contents" && v == "absent"),
            "{name}: {md:?}"
        );
    }
    let full =
        greenbook::dataset::Table::metadata(&pipeline::output().join("cases.parquet")).unwrap();
    assert!(
        full.iter()
            .any(|(k, v)| k == "greenbook.contents" && v == "found")
    );
}
