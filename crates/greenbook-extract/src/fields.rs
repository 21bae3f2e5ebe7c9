//! The one description of the six facts. Extraction, the Parquet columns, `stats`, the digests,
//! `extract --jsonl` and the evaluation all read this table; nothing else names a field.

use serde::{Deserialize, Serialize};

/// A fact greenbook extracts per case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Households,
    Population,
    GreenRate,
    FoundedYear,
    ElderlyShare,
    MigrantShare,
}

/// What kind of number a field holds, which decides its Parquet type and how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A whole count (households, persons): Int64, summed across cases.
    Count,
    /// A calendar year: Int32, never summed.
    Year,
    /// A share in percent (0–100): Float64.
    Percent,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    pub field: Field,
    /// Parquet column, JSON key and `facts.field` value.
    pub name: &'static str,
    /// Chinese label in the digests.
    pub label: &'static str,
    /// The `facts.unit` value.
    pub unit: &'static str,
    /// The unit a reader sees after a value ("%" for shares, nothing for counts and years).
    pub suffix: &'static str,
    pub measure: Measure,
}

/// The six facts, in the order of every table and column list.
pub const FIELDS: [FieldSpec; 6] = [
    FieldSpec {
        field: Field::Households,
        name: "households",
        label: "户数",
        unit: "households",
        suffix: "",
        measure: Measure::Count,
    },
    FieldSpec {
        field: Field::Population,
        name: "population",
        label: "人口",
        unit: "persons",
        suffix: "",
        measure: Measure::Count,
    },
    FieldSpec {
        field: Field::GreenRate,
        name: "green_rate",
        label: "绿化率",
        unit: "percent",
        suffix: "%",
        measure: Measure::Percent,
    },
    FieldSpec {
        field: Field::FoundedYear,
        name: "founded_year",
        label: "建成年份",
        unit: "year",
        suffix: "",
        measure: Measure::Year,
    },
    FieldSpec {
        field: Field::ElderlyShare,
        name: "elderly_share",
        label: "老年人占比",
        unit: "percent",
        suffix: "%",
        measure: Measure::Percent,
    },
    FieldSpec {
        field: Field::MigrantShare,
        name: "migrant_share",
        label: "外来人口占比",
        unit: "percent",
        suffix: "%",
        measure: Measure::Percent,
    },
];

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Households,
        Field::Population,
        Field::GreenRate,
        Field::FoundedYear,
        Field::ElderlyShare,
        Field::MigrantShare,
    ];

    fn index(self) -> usize {
        self as usize
    }

    pub fn spec(self) -> &'static FieldSpec {
        &FIELDS[self.index()]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn label(self) -> &'static str {
        self.spec().label
    }

    pub fn unit(self) -> &'static str {
        self.spec().unit
    }

    pub fn measure(self) -> Measure {
        self.spec().measure
    }

    /// The field named `name` (a Parquet column or JSON key).
    pub fn parse(name: &str) -> Option<Field> {
        FIELDS.iter().find(|s| s.name == name).map(|s| s.field)
    }

    /// A value as stored: counts and years are whole numbers.
    pub fn normalise(self, v: f64) -> f64 {
        match self.measure() {
            Measure::Count | Measure::Year => v.round(),
            Measure::Percent => v,
        }
    }

    /// A value as JSON: an integer for counts and years, a float for shares.
    pub fn json(self, v: Option<f64>) -> serde_json::Value {
        match (v, self.measure()) {
            (None, _) => serde_json::Value::Null,
            (Some(v), Measure::Count | Measure::Year) => (v.round() as i64).into(),
            (Some(v), Measure::Percent) => v.into(),
        }
    }

    /// A value for a reader: "2006", "1,224户", "35%", "12.5%" (counts grouped by `fmt_num`).
    pub fn show(self, v: f64) -> String {
        match self.measure() {
            Measure::Year => format!("{}", v.round() as i64),
            _ => format!("{}{}", crate::text::fmt_num(v), self.spec().suffix),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The six values of one case (None where the book does not say).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Values([Option<f64>; 6]);

impl Values {
    pub fn get(&self, f: Field) -> Option<f64> {
        self.0[f.index()]
    }

    pub fn set(&mut self, f: Field, v: Option<f64>) {
        self.0[f.index()] = v.map(|v| f.normalise(v));
    }

    /// A count or year as an integer.
    pub fn int(&self, f: Field) -> Option<i64> {
        self.get(f).map(|v| v.round() as i64)
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, Option<f64>)> + '_ {
        Field::ALL.into_iter().map(|f| (f, self.get(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_indexed_by_the_enum() {
        for (i, s) in FIELDS.iter().enumerate() {
            assert_eq!(s.field.index(), i);
            assert_eq!(Field::parse(s.name), Some(s.field));
            assert_eq!(Field::ALL[i], s.field);
        }
        assert_eq!(Field::parse("greenrate"), None);
        let mut v = Values::default();
        v.set(Field::Households, Some(1224.4));
        v.set(Field::GreenRate, Some(35.5));
        assert_eq!(v.int(Field::Households), Some(1224));
        assert_eq!(Field::Households.json(v.get(Field::Households)), 1224);
        assert_eq!(Field::GreenRate.json(v.get(Field::GreenRate)), 35.5);
        assert_eq!(Field::GreenRate.show(35.5), "35.5%");
        assert_eq!(Field::FoundedYear.show(2006.0), "2006");
        assert_eq!(Field::Population.json(None), serde_json::Value::Null);
    }
}
