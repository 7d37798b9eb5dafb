//! The encoding of every server function's answer: JSON, as Leptos' own `Json`, read back in
//! the browser through `serde_json::from_str`.
//!
//! Why not Leptos' `Json`: it reads an answer with `serde_json::from_slice`, while a page's
//! resources are hydrated from the HTML with `serde_json::from_str`. serde_json compiles its
//! whole deserializer once per reader, so every type a server function returns was in the WASM
//! twice (about 185 KB of code, 7 % of it; see docs/BENCHMARKS.md, "One JSON reader"). With
//! this encoding both go through one reader. What crosses the wire is unchanged: the same
//! `application/json` body, written with `serde_json::to_vec`.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// JSON bodies, read as text (see the module's comment).
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's answer as JSON in the body of its `POST`'s response: `output = Json` in
/// every `#[server]` of `api.rs`.
pub type Json = Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;

    /// One server function on Leptos' own `Json` would bring `from_slice`'s copy of every type
    /// it returns back into the WASM.
    #[test]
    fn every_server_function_answers_through_this_encoding() {
        let api = include_str!("api.rs");
        let servers: Vec<&str> = api
            .lines()
            .filter(|l| l.trim_start().starts_with("#[server"))
            .collect();
        assert!(servers.len() >= 50, "found {}", servers.len());
        for line in servers {
            assert!(line.contains("output = crate::codec::Json"), "{line}");
        }
    }

    #[test]
    fn what_is_written_reads_back_and_bad_bytes_are_an_error() {
        let value = vec![("Ünïcode \"quoted\"".to_string(), 7_i64)];
        let bytes = <JsonText as Encodes<_>>::encode(&value).unwrap();
        assert_eq!(bytes, serde_json::to_vec(&value).unwrap());
        let back: Vec<(String, i64)> = <JsonText as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, value);
        let bad: Result<Vec<(String, i64)>, _> =
            <JsonText as Decodes<_>>::decode(Bytes::from_static(b"[[\"\xff\", 1]]"));
        assert!(bad.is_err());
    }
}
