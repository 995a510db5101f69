//! A serde serializer that builds Python objects directly from the reports (no JSON text, no
//! `serde_json::Value` in between), giving what `json.loads` of `serde_json`'s output gives:
//! structs and maps as dicts, sequences as lists, `None`/unit as None, non-finite floats as
//! None (serde_json writes them as null), enums externally tagged.
//!
//! Struct field names are `&'static str`: each distinct one becomes a Python string once per
//! [`Keys`] (looked up by address), so thousands of reports share a few dozen key objects.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde::ser::{self, Serialize};
use std::collections::HashMap;

/// Python strings of struct field names, by the address and length of the `&'static str`.
#[derive(Default)]
pub struct Keys<'py> {
    cache: HashMap<(usize, usize), Bound<'py, PyString>>,
}

impl<'py> Keys<'py> {
    fn get(&mut self, py: Python<'py>, k: &'static str) -> Bound<'py, PyString> {
        self.cache
            .entry((k.as_ptr() as usize, k.len()))
            .or_insert_with(|| PyString::new(py, k))
            .clone()
    }
}

/// `value` as a Python object.
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    keys: &mut Keys<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    value.serialize(Ser { py, keys }).map_err(|e| e.0)
}

/// A serialisation error carrying the Python exception.
#[derive(Debug)]
pub struct Error(PyErr);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(PyValueError::new_err(msg.to_string()))
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error(e)
    }
}

type Res<'py> = Result<Bound<'py, PyAny>, Error>;

struct Ser<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
}

impl<'a, 'py> Ser<'a, 'py> {
    fn reborrow(&mut self) -> Ser<'_, 'py> {
        Ser {
            py: self.py,
            keys: self.keys,
        }
    }

    fn none(&self) -> Bound<'py, PyAny> {
        self.py.None().into_bound(self.py)
    }

    /// `{variant: value}`, serde_json's form of a non-unit enum variant.
    fn tagged(&mut self, variant: &'static str, value: Bound<'py, PyAny>) -> Res<'py> {
        let d = PyDict::new(self.py);
        d.set_item(self.keys.get(self.py, variant), value)?;
        Ok(d.into_any())
    }
}

/// Lists and tuples (and a tuple variant's fields, with its name).
struct Seq<'a, 'py> {
    ser: Ser<'a, 'py>,
    items: Vec<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'a, 'py> Seq<'a, 'py> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let o = v.serialize(self.ser.reborrow())?;
        self.items.push(o);
        Ok(())
    }

    fn done(mut self) -> Res<'py> {
        let list = PyList::new(self.ser.py, self.items)?.into_any();
        match self.variant {
            Some(v) => self.ser.tagged(v, list),
            None => Ok(list),
        }
    }
}

/// Maps and structs (and a struct variant's fields, with its name).
struct Map<'a, 'py> {
    ser: Ser<'a, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
}

impl<'a, 'py> Map<'a, 'py> {
    fn done(mut self) -> Res<'py> {
        let d = self.dict.into_any();
        match self.variant {
            Some(v) => self.ser.tagged(v, d),
            None => Ok(d),
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        let k = self.ser.keys.get(self.ser.py, key);
        let o = v.serialize(self.ser.reborrow())?;
        self.dict.set_item(k, o)?;
        Ok(())
    }
}

impl<'a, 'py> ser::Serializer for Ser<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    type SerializeSeq = Seq<'a, 'py>;
    type SerializeTuple = Seq<'a, 'py>;
    type SerializeTupleStruct = Seq<'a, 'py>;
    type SerializeTupleVariant = Seq<'a, 'py>;
    type SerializeMap = Map<'a, 'py>;
    type SerializeStruct = Map<'a, 'py>;
    type SerializeStructVariant = Map<'a, 'py>;

    fn serialize_bool(self, v: bool) -> Res<'py> {
        Ok(v.into_pyobject(self.py)?.to_owned().into_any())
    }
    fn serialize_i8(self, v: i8) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Res<'py> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Res<'py> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_u8(self, v: u8) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Res<'py> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Res<'py> {
        Ok(v.into_pyobject(self.py)?.into_any())
    }
    fn serialize_f32(self, v: f32) -> Res<'py> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Res<'py> {
        if v.is_finite() {
            Ok(v.into_pyobject(self.py)?.into_any())
        } else {
            Ok(self.none())
        }
    }
    fn serialize_char(self, v: char) -> Res<'py> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Res<'py> {
        Ok(PyString::new(self.py, v).into_any())
    }
    fn serialize_bytes(self, v: &[u8]) -> Res<'py> {
        let items = v
            .iter()
            .map(|b| Ok(b.into_pyobject(self.py)?.into_any()))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(self.py, items)?.into_any())
    }
    fn serialize_none(self) -> Res<'py> {
        Ok(self.none())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Res<'py> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Res<'py> {
        Ok(self.none())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res<'py> {
        Ok(self.none())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Res<'py> {
        Ok(self.keys.get(self.py, variant).into_any())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Res<'py> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Res<'py> {
        let o = v.serialize(self.reborrow())?;
        self.tagged(variant, o)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq<'a, 'py>, Error> {
        Ok(Seq {
            ser: self,
            items: Vec::with_capacity(len.unwrap_or(0)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq<'a, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq<'a, 'py>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq<'a, 'py>, Error> {
        let mut s = self.serialize_seq(Some(len))?;
        s.variant = Some(variant);
        Ok(s)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a, 'py>, Error> {
        let dict = PyDict::new(self.py);
        Ok(Map {
            ser: self,
            dict,
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Map<'a, 'py>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Map<'a, 'py>, Error> {
        let mut m = self.serialize_map(Some(len))?;
        m.variant = Some(variant);
        Ok(m)
    }
}

/// serde's four sequence traits differ only in their names: each pushes an element onto the
/// list being built.
macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),* $(,)?) => {$(
        impl<'a, 'py> ser::$trait for Seq<'a, 'py> {
            type Ok = Bound<'py, PyAny>;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.push(v)
            }
            fn end(self) -> Res<'py> {
                self.done()
            }
        }
    )*};
}

seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

impl<'a, 'py> ser::SerializeMap for Map<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        let k = k.serialize(self.ser.reborrow())?;
        // JSON object keys are strings: serde_json writes number keys as their text.
        let k = if k.is_instance_of::<PyString>() {
            k
        } else {
            k.str()?.into_any()
        };
        self.key = Some(k);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let k = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value without its key"))?;
        let o = v.serialize(self.ser.reborrow())?;
        self.dict.set_item(k, o)?;
        Ok(())
    }
    fn end(self) -> Res<'py> {
        self.done()
    }
}

impl<'a, 'py> ser::SerializeStruct for Map<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Res<'py> {
        self.done()
    }
}

impl<'a, 'py> ser::SerializeStructVariant for Map<'a, 'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Res<'py> {
        self.done()
    }
}
