//! One table of columns per Parquet file: each column's name, its type, and how a row writes it and
//! reads it back. The writer ([`frame`]) and the reader ([`rows`]) both go through these tables, and
//! `docs/schema.md` is checked against them (`tests::the_schema_doc_lists_every_column_with_its_type`).

use polars_core::prelude::*;

use crate::{StoreError, Table};

/// A column's type, as Polars names it (and `docs/schema.md` gives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    U32,
    U64,
    I32,
    I64,
    F32,
    F64,
    StrList,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Str => "String",
            Ty::U32 => "UInt32",
            Ty::U64 => "UInt64",
            Ty::I32 => "Int32",
            Ty::I64 => "Int64",
            Ty::F32 => "Float32",
            Ty::F64 => "Float64",
            Ty::StrList => "List(String)",
        }
    }
}

type Write<R> = Box<dyn Fn(&'static str, &[R]) -> Column>;
type Read<R> = Box<dyn Fn(&Table, &'static str, usize, &mut R) -> Result<(), StoreError>>;

/// One column of a row type's file.
pub struct Col<R> {
    pub name: &'static str,
    pub ty: Ty,
    write: Write<R>,
    read: Read<R>,
}

impl<R: 'static> Col<R> {
    /// A column that holds one field of the row as it is.
    pub fn field<T: Value + 'static>(
        name: &'static str,
        get: fn(&R) -> &T,
        set: fn(&mut R, T),
    ) -> Col<R> {
        Col {
            name,
            ty: T::TY,
            write: Box::new(move |n, rows| T::column(n, rows.iter().map(get).collect())),
            read: Box::new(move |t, n, i, r| {
                set(r, T::read(t, n, i)?);
                Ok(())
            }),
        }
    }

    /// A column with its own writer and reader (a value derived from the row, or read with a check).
    pub fn new(
        name: &'static str,
        ty: Ty,
        write: impl Fn(&'static str, &[R]) -> Column + 'static,
        read: impl Fn(&Table, &'static str, usize, &mut R) -> Result<(), StoreError> + 'static,
    ) -> Col<R> {
        Col {
            name,
            ty,
            write: Box::new(write),
            read: Box::new(read),
        }
    }
}

/// `Col::field` for a field of the row (`label`, `figure.page`, `figure.span.0`).
macro_rules! field {
    ($name:literal, $($f:tt)+) => {
        $crate::columns::Col::field($name, |r| &r.$($f)+, |r, v| r.$($f)+ = v)
    };
}
pub(crate) use field;

/// A row type of one Parquet file.
pub trait Row: Sized + 'static {
    /// A row before its columns are read: each column sets its part.
    fn empty() -> Self;
    /// The columns, in the file's order.
    fn columns() -> Vec<Col<Self>>;
    /// After every column is read.
    fn finish(&mut self) {}
}

/// The rows as a frame, column by column.
pub fn frame<R: Row>(rows: &[R]) -> PolarsResult<DataFrame> {
    let columns: Vec<Column> = R::columns()
        .iter()
        .map(|c| (c.write)(c.name, rows))
        .collect();
    DataFrame::new(rows.len(), columns)
}

/// The rows of a file read back, each column checked for its type.
pub fn rows<R: Row>(t: &Table) -> Result<Vec<R>, StoreError> {
    let columns = R::columns();
    (0..t.height())
        .map(|i| {
            let mut r = R::empty();
            for c in &columns {
                (c.read)(t, c.name, i, &mut r)?;
            }
            r.finish();
            Ok(r)
        })
        .collect()
}

/// A column of values.
pub fn col<T, P: ?Sized>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
{
    Series::new(name.into(), values).into_column()
}

/// A List(String) column: the strings `f` gives for each row.
pub fn str_list<'a, R>(name: &str, rows: &'a [R], f: impl Fn(&'a R) -> Vec<&'a str>) -> Column {
    rows.iter()
        .map(|r| Some(Series::new("".into(), f(r))))
        .collect::<ListChunked>()
        .with_name(name.into())
        .into_column()
}

/// A value a row keeps in a column as it is: its type, how a column of it is made, and how it is read
/// (a missing value of a column that is never null reads as its empty value).
pub trait Value: Sized {
    const TY: Ty;
    fn column(name: &str, values: Vec<&Self>) -> Column;
    fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError>;
}

impl Value for String {
    const TY: Ty = Ty::Str;
    fn column(name: &str, values: Vec<&Self>) -> Column {
        col(name, values.iter().map(|s| s.as_str()).collect::<Vec<_>>())
    }
    fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
        Ok(t.string(name, i)?.unwrap_or_default())
    }
}

impl Value for Option<String> {
    const TY: Ty = Ty::Str;
    fn column(name: &str, values: Vec<&Self>) -> Column {
        col(
            name,
            values.iter().map(|s| s.as_deref()).collect::<Vec<_>>(),
        )
    }
    fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
        t.string(name, i)
    }
}

impl Value for Vec<String> {
    const TY: Ty = Ty::StrList;
    fn column(name: &str, values: Vec<&Self>) -> Column {
        str_list(name, &values, |v| v.iter().map(String::as_str).collect())
    }
    fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
        t.strings(name, i)
    }
}

/// `Value` for a number type, never null (read as 0 when missing) and optional.
macro_rules! number {
    ($t:ty, $ty:ident, $get:ident) => {
        impl Value for $t {
            const TY: Ty = Ty::$ty;
            fn column(name: &str, values: Vec<&Self>) -> Column {
                col(name, values.into_iter().copied().collect::<Vec<_>>())
            }
            fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
                Ok(t.$get(name, i)?.unwrap_or_default())
            }
        }
        impl Value for Option<$t> {
            const TY: Ty = Ty::$ty;
            fn column(name: &str, values: Vec<&Self>) -> Column {
                col(name, values.into_iter().copied().collect::<Vec<_>>())
            }
            fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
                t.$get(name, i)
            }
        }
    };
}
/// `Value` for a number type kept in a UInt32 column: a char offset (`usize`), a rotation (`u16`).
/// Read back, a value the type cannot hold is a schema error.
macro_rules! in_u32 {
    ($t:ty) => {
        impl Value for $t {
            const TY: Ty = Ty::U32;
            fn column(name: &str, values: Vec<&Self>) -> Column {
                let wide = |v: &$t| u32::try_from(*v).unwrap_or(u32::MAX);
                col(name, values.into_iter().map(wide).collect::<Vec<_>>())
            }
            fn read(t: &Table, name: &str, i: usize) -> Result<Self, StoreError> {
                let v = t.u32(name, i)?.unwrap_or_default();
                <$t>::try_from(v).map_err(|_| StoreError::Schema {
                    path: t.path.clone(),
                    column: name.into(),
                    message: format!("{v} is out of range"),
                })
            }
        }
    };
}
in_u32!(usize);
in_u32!(u16);

number!(u32, U32, u32);
number!(u64, U64, u64);
number!(f32, F32, f32);
number!(f64, F64, f64);
