//! Charts for the digests, drawn with plotters into RGB bitmaps (no alpha channel) at 200 DPI, with
//! labels in the report font.

use std::sync::{Arc, Mutex, PoisonError};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::dataset::CaseRow;
use crate::extract::Field;

/// Pixels per inch of the chart bitmaps; the PDF places them at this resolution.
pub const DPI: f64 = 200.0;
const GREEN: RGBColor = RGBColor(46, 125, 50);
const BLUE: RGBColor = RGBColor(21, 101, 192);

/// A rendered chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub caption: String,
    /// Every label drawn inside the bitmap (checked against the font like the rest of the text).
    pub labels: String,
    pub width: u32,
    pub height: u32,
    /// RGB, 3 bytes per pixel, row-major.
    pub rgb: Vec<u8>,
}

/// Registers a face with plotters and returns the family name to draw with. Plotters keeps fonts for
/// the whole process as `&'static` data, so each distinct face is copied and registered once.
pub fn register(face: &Arc<[u8]>) -> &'static str {
    static FAMILIES: Mutex<Vec<(String, &'static str)>> = Mutex::new(Vec::new());
    let key = crate::io::sha256_hex(face)[..16].to_string();
    let mut families = FAMILIES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, name)) = families.iter().find(|(k, _)| *k == key) {
        return name;
    }
    let bytes: &'static [u8] = Box::leak(face.to_vec().into_boxed_slice());
    let name: &'static str = Box::leak(format!("greenbook-{key}").into_boxed_str());
    let _ = plotters::style::register_font(name, FontStyle::Normal, bytes);
    families.push((key, name));
    name
}

/// A chart on `root`: its caption over it, and room for the axes' labels.
fn builder<'a, 'b>(
    root: &'a DrawingArea<BitMapBackend<'b>, plotters::coord::Shift>,
    font: &'static str,
    caption: &str,
    x_label_area: u32,
    y_label_area: u32,
) -> ChartBuilder<'a, 'b, BitMapBackend<'b>> {
    let mut b = ChartBuilder::on(root);
    b.caption(caption, (font, 34).into_font())
        .margin(20)
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area);
    b
}

/// Width 16 cm at 200 DPI.
const W: u32 = 1260;

/// A chart `height` pixels tall drawn by `f` on a white canvas; one that cannot be drawn becomes a
/// panel saying why.
fn draw(
    font: &'static str,
    caption: &str,
    labels: String,
    height: u32,
    f: impl FnOnce(&DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<(), String>,
) -> Chart {
    let mut rgb = vec![255u8; (W * height * 3) as usize];
    let result = {
        let root = BitMapBackend::with_buffer(&mut rgb, (W, height)).into_drawing_area();
        let r = root
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| f(&root));
        let _ = root.present();
        r
    };
    if let Err(e) = result {
        // A chart that cannot be drawn becomes a blank panel with the reason; the digest goes on.
        rgb.fill(255);
        let root = BitMapBackend::with_buffer(&mut rgb, (W, height)).into_drawing_area();
        let _ = root.draw_text(
            &format!("图表无法绘制：{e}"),
            &(font, 30).into_font().color(&BLACK),
            (20, 20),
        );
        let _ = root.present();
    }
    Chart {
        caption: caption.to_string(),
        labels,
        width: W,
        height,
        rgb,
    }
}

/// Horizontal bars, one per (label, value).
pub fn hbar(font: &'static str, caption: &str, x_label: &str, data: &[(String, f64)]) -> Chart {
    // Plotters counts segments from the bottom: reversed, the first item reads at the top.
    let data: Vec<(String, f64)> = data.iter().rev().cloned().collect();
    let n = data.len().max(1);
    let height = (160 + 56 * n as u32).min(1500);
    let xmax = data.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0) * 1.15;
    let labels: String = data
        .iter()
        .map(|(l, _)| l.as_str())
        .chain([x_label, caption])
        .collect();
    let names: Vec<String> = data.iter().map(|(l, _)| l.clone()).collect();
    draw(font, caption, labels, height, |root| {
        let mut chart = builder(root, font, caption, 60, 300)
            .build_cartesian_2d(0f64..xmax, (0..n as i32).into_segmented())
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            // Every bar gets its name (plotters would otherwise label about every other one).
            .y_labels(n + 1)
            .x_desc(x_label)
            .label_style((font, 26).into_font())
            .axis_desc_style((font, 26).into_font())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| crate::text::fmt_num(*v))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(data.iter().enumerate().map(|(i, (_, v))| {
                let i = i as i32;
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(i)),
                        (*v, SegmentValue::Exact(i + 1)),
                    ],
                    GREEN.filled(),
                );
                bar.set_margin(8, 8, 0, 0);
                bar
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(data.iter().enumerate().map(|(i, (_, v))| {
                Text::new(
                    crate::text::fmt_num(*v),
                    (*v + xmax * 0.01, SegmentValue::CenterOf(i as i32)),
                    (font, 24).into_font(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Green rates in 10-point bins from 0 to 100 %.
fn green_histogram(font: &'static str, cases: &[&CaseRow]) -> Chart {
    let mut bins = [0u32; 10];
    for r in cases.iter().filter_map(|c| c.values.get(Field::GreenRate)) {
        bins[((r / 10.0).floor() as usize).min(9)] += 1;
    }
    let ymax = bins.iter().copied().max().unwrap_or(0).max(1) + 1;
    let caption = "绿化率分布（社区数，每档 10 个百分点）";
    draw(
        font,
        caption,
        format!("{caption}绿化率社区数%"),
        560,
        |root| {
            let mut chart = builder(root, font, caption, 70, 80)
                .build_cartesian_2d(0f64..100f64, 0u32..ymax)
                .map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_desc("绿化率（%）")
                .y_desc("社区数")
                .label_style((font, 26).into_font())
                .axis_desc_style((font, 26).into_font())
                .x_label_formatter(&|v| format!("{v:.0}"))
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(
                    bins.iter()
                        .enumerate()
                        .filter(|(_, n)| **n > 0)
                        .map(|(i, n)| {
                            let x = i as f64 * 10.0;
                            Rectangle::new([(x + 0.5, 0), (x + 9.5, *n)], GREEN.filled())
                        }),
                )
                .map_err(|e| e.to_string())?;
            Ok(())
        },
    )
}

/// Elderly share against migrant share, one labelled point per community.
fn elderly_vs_migrant(font: &'static str, cases: &[&CaseRow]) -> Chart {
    let points: Vec<(String, f64, f64)> = cases
        .iter()
        .filter_map(|c| {
            Some((
                c.community.clone().unwrap_or_else(|| c.title.clone()),
                c.values.get(Field::ElderlyShare)?,
                c.values.get(Field::MigrantShare)?,
            ))
        })
        .collect();
    let caption = "老年人占比与外来人口占比";
    let labels: String = points
        .iter()
        .map(|(n, _, _)| n.as_str())
        .chain([
            caption,
            "老年人占比（%）外来人口占比（%）暂无同时给出两项的社区",
        ])
        .collect();
    draw(font, caption, labels, 620, |root| {
        let mut chart = builder(root, font, caption, 70, 80)
            .build_cartesian_2d(0f64..60f64, 0f64..60f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("老年人占比（%）")
            .y_desc("外来人口占比（%）")
            .label_style((font, 26).into_font())
            .axis_desc_style((font, 26).into_font())
            .draw()
            .map_err(|e| e.to_string())?;
        if points.is_empty() {
            chart
                .draw_series(std::iter::once(Text::new(
                    "暂无同时给出两项的社区",
                    (12.0, 32.0),
                    (font, 30).into_font(),
                )))
                .map_err(|e| e.to_string())?;
        }
        chart
            .draw_series(
                points
                    .iter()
                    .map(|(_, x, y)| Circle::new((x.min(59.0), y.min(59.0)), 9, BLUE.filled())),
            )
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(points.iter().map(|(n, x, y)| {
                Text::new(
                    n.clone(),
                    (x.min(59.0) + 1.0, y.min(59.0) + 2.5),
                    (font, 24).into_font(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// The outlines of Shanghai's 16 districts (lon/lat rings), decoded and simplified from echarts@4.9.0
/// by `scripts/make-shanghai-map.py` (Apache-2.0: `shanghai-districts.LICENSE`).
const SHANGHAI: &str = include_str!("shanghai-districts.json");

#[derive(serde::Deserialize)]
struct Outlines {
    districts: Vec<Outline>,
}

#[derive(serde::Deserialize)]
struct Outline {
    name: String,
    rings: Vec<Vec<[f64; 2]>>,
}

/// How to read the map's colours, under its title.
const LEGEND: &str = "颜色越深，数值越大；灰色：0 或无数据";

/// A schematic map of the city: each district filled by `value` (darker is more; grey when it has
/// none), labelled with its name and value. Labelled 示意图: outlines simplified, not a surveyed map.
pub fn city_map(font: &'static str, caption: &str, values: &[(String, Option<f64>)]) -> Chart {
    let outlines: Vec<Outline> = serde_json::from_str::<Outlines>(SHANGHAI)
        .map(|o| o.districts)
        .unwrap_or_default();
    let short = |n: &str| {
        n.trim_end_matches("新区")
            .trim_end_matches('区')
            .to_string()
    };
    let labels: String = outlines
        .iter()
        .map(|o| short(&o.name))
        .chain([
            caption.to_string(),
            format!("（示意图）中心城区：· 0123456789.,{LEGEND}"),
        ])
        .collect();
    let height = 1180;
    draw(font, caption, labels, height, |root| {
        if outlines.is_empty() {
            return Err("district outlines missing".into());
        }
        let map = Projection::fit(&outlines, height);
        let px = |p: &[f64; 2]| map.at(p);
        let max = values
            .iter()
            .filter_map(|(_, v)| *v)
            .fold(0.0f64, f64::max)
            .max(1.0);
        let value_of = |name: &str| values.iter().find(|(n, _)| n == name).and_then(|(_, v)| *v);
        root.draw_text(
            &format!("{caption}（示意图）"),
            &(font, 34).into_font().color(&BLACK),
            (20, 20),
        )
        .map_err(|e| e.to_string())?;
        root.draw_text(
            LEGEND,
            &(font, 24).into_font().color(&RGBColor(90, 90, 90)),
            (20, 62),
        )
        .map_err(|e| e.to_string())?;
        for o in &outlines {
            let v = value_of(&o.name);
            for ring in &o.rings {
                let poly: Vec<(i32, i32)> = ring.iter().map(px).collect();
                root.draw(&Polygon::new(poly.clone(), shade(v, max).filled()))
                    .map_err(|e| e.to_string())?;
                root.draw(&PathElement::new(
                    poly,
                    RGBColor(70, 80, 70).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
            }
        }
        let value_text = |name: &str| match value_of(name) {
            Some(v) => format!("{} {}", short(name), crate::text::fmt_num(v)),
            None => short(name),
        };
        draw_labels(root, font, &outlines, &map, &value_text)?;
        Ok(())
    })
}

/// The districts' names and values on the map; the seven central ones, too small to label inside,
/// listed below it.
fn draw_labels(
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    font: &'static str,
    outlines: &[Outline],
    map: &Projection,
    value_text: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    // The seven central districts are too small to label inside: they are listed below the map.
    const CENTRAL: [&str; 7] = [
        "黄浦区",
        "徐汇区",
        "长宁区",
        "静安区",
        "普陀区",
        "虹口区",
        "杨浦区",
    ];
    let central: Vec<String> = CENTRAL.iter().map(|n| value_text(n)).collect();
    root.draw_text(
        &format!("中心城区：{}", central.join(" · ")),
        &(font, 24).into_font().color(&BLACK),
        (20, root.dim_in_pixel().1 as i32 - 50),
    )
    .map_err(|e| e.to_string())?;
    for o in outlines
        .iter()
        .filter(|o| !CENTRAL.contains(&o.name.as_str()))
    {
        // The label at the middle of the district's largest ring.
        let Some(ring) = o.rings.iter().max_by_key(|r| r.len()) else {
            continue;
        };
        let n = ring.len() as f64;
        let c = [
            ring.iter().map(|p| p[0]).sum::<f64>() / n,
            ring.iter().map(|p| p[1]).sum::<f64>() / n,
        ];
        let (x, y) = map.at(&c);
        root.draw(&Text::new(
            value_text(&o.name),
            (x - 30, y - 12),
            (font, 28).into_font().color(&BLACK),
        ))
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Longitude and latitude to pixels: equirectangular at the city's latitude, fitted below the
/// caption of a map `height` pixels tall.
struct Projection {
    x0: f64,
    y1: f64,
    kx: f64,
    scale: f64,
}

impl Projection {
    const TOP: f64 = 90.0;
    const PAD: f64 = 30.0;

    fn fit(outlines: &[Outline], height: u32) -> Projection {
        let pts = || outlines.iter().flat_map(|o| o.rings.iter().flatten());
        let (x0, x1) = pts().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p[0]), b.max(p[0])));
        let (y0, y1) = pts().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p[1]), b.max(p[1])));
        let kx = (31.2f64).to_radians().cos();
        let avail_w = f64::from(W) - 2.0 * Self::PAD;
        let avail_h = f64::from(height) - Self::TOP - Self::PAD - 60.0;
        let scale = (avail_w / ((x1 - x0) * kx)).min(avail_h / (y1 - y0));
        Projection { x0, y1, kx, scale }
    }

    fn at(&self, p: &[f64; 2]) -> (i32, i32) {
        (
            (Self::PAD + (p[0] - self.x0) * self.kx * self.scale) as i32,
            (Self::TOP + (self.y1 - p[1]) * self.scale) as i32,
        )
    }
}

/// A district's fill: darker green the nearer its value is to `max`, grey without one.
fn shade(v: Option<f64>, max: f64) -> RGBColor {
    match v {
        Some(v) if v > 0.0 => {
            let t = (v / max).clamp(0.0, 1.0);
            RGBColor(
                (200.0 - 160.0 * t) as u8,
                (230.0 - 110.0 * t) as u8,
                (201.0 - 150.0 * t) as u8,
            )
        }
        _ => RGBColor(225, 225, 225),
    }
}

/// The three charts of a digest.
pub fn district_charts(font: &'static str, cases: &[&CaseRow]) -> Vec<Chart> {
    let households: Vec<(String, f64)> = cases
        .iter()
        .filter_map(|c| {
            Some((
                c.community.clone().unwrap_or_else(|| c.title.clone()),
                c.values.get(Field::Households)?,
            ))
        })
        .collect();
    vec![
        hbar(font, "各社区户数", Field::Households.label(), &households),
        green_histogram(font, cases),
        elderly_vs_migrant(font, cases),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::ReportFonts;

    /// The map fills the district with cases in the darkest green and the others in grey, from the
    /// committed outlines of all 16 districts.
    #[test]
    fn the_city_map_colours_districts_by_their_value() {
        let outlines: Outlines = serde_json::from_str(SHANGHAI).unwrap();
        assert_eq!(outlines.districts.len(), 16);
        let fonts = ReportFonts::load(None).unwrap();
        let font = register(&fonts.regular);
        let values: Vec<(String, Option<f64>)> = outlines
            .districts
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    Some(if d.name == "浦东新区" { 3.0 } else { 0.0 }),
                )
            })
            .collect();
        let map = city_map(font, "各区已数字化案例数", &values);
        let count = |c: [u8; 3]| map.rgb.chunks(3).filter(|p| *p == c).count();
        let (green, grey) = (count([40, 120, 51]), count([225, 225, 225]));
        assert!(green > 50_000, "{green} px of Pudong");
        assert!(grey > 3 * green / 2, "{grey} px of the other districts");
    }

    /// Charts are drawn in the face they are given (the `--font-dir` face, whose coverage the labels
    /// are checked against), not always in the built-in one.
    #[test]
    fn charts_are_drawn_in_the_face_given() {
        let fonts = ReportFonts::load(None).unwrap();
        let regular = register(&fonts.regular);
        assert_eq!(register(&fonts.regular), regular, "registered once");
        let bold = register(&fonts.bold);
        assert_ne!(regular, bold);
        let data = [("东力居民区".to_string(), 1224.0)];
        let a = hbar(regular, "各社区户数", "户数", &data);
        let b = hbar(bold, "各社区户数", "户数", &data);
        let again = hbar(regular, "各社区户数", "户数", &data);
        assert_eq!(a.rgb, again.rgb);
        assert_ne!(a.rgb, b.rgb, "the bold face draws other pixels");
    }
}
