//! Timestamps as the screens show them and as the models read them, without chrono's general
//! parser and strftime formatting: in the browser those were about 34 KB of the Manage Data
//! pages' WASM (docs/BENCHMARKS.md, "One JSON reader"), for the one format the server writes.
//!
//! - `utc`, `utc_seconds`, `month_day_time`: "2026-12-01 03:31 UTC", "… 03:31:57 UTC",
//!   "12-01 03:31", from the timestamp's fields.
//! - `rfc3339` and `rfc3339_option` (`#[serde(with = …)]` on every timestamp of a model): written
//!   as chrono writes them ("2026-12-01T03:31:57.123456Z"), read by `parse`, which takes what
//!   RFC 3339 allows: `T` or `t` or a space, any digits of a second's fraction, `Z`, `z` or an
//!   offset.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Timelike, Utc};

/// "2026-12-01 03:31 UTC".
pub fn utc(t: &DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// "2026-12-01 03:31:57 UTC".
pub fn utc_seconds(t: &DateTime<Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// "12-01 03:31" (a chart's axis).
pub fn month_day_time(t: &DateTime<Utc>) -> String {
    format!(
        "{:02}-{:02} {:02}:{:02}",
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// An RFC 3339 timestamp ("2026-12-01T03:31:57.123456Z", "2026-12-01T04:31:57+01:00"); None when
/// it is not one or names no real moment (a 30th of February, an hour 24).
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-') && at(7, b'-') && at(13, b':') && at(16, b':')) {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    let (hour, minute, mut second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut nanos = 0u32;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            // Digits past the nanosecond are read and dropped, as chrono does.
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..9 {
            nanos *= 10;
        }
    }
    // A leap second (":60") is the last nanosecond of its minute plus one second, as chrono
    // keeps it.
    if second == 60 {
        second = 59;
        nanos += 1_000_000_000;
    }
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    let offset_seconds = match b.get(i) {
        Some(b'Z' | b'z') => {
            i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            if !at(i + 3, b':') {
                return None;
            }
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = i64::from(h * 3600 + m * 60);
            i += 6;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        _ => return None,
    };
    if i != b.len() {
        return None;
    }
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_seconds))?;
    Some(utc.and_utc())
}

/// `#[serde(with = "crate::model::time::rfc3339")]`.
pub mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format_args!("not an RFC 3339 timestamp: {s:?}"))
        })
    }
}

/// `#[serde(with = "crate::model::time::rfc3339_option")]`: null or a timestamp.
pub mod rfc3339_option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match <Option<String>>::deserialize(d)? {
            None => Ok(None),
            Some(s) => super::parse(&s).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format_args!("not an RFC 3339 timestamp: {s:?}"))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn the_screens_formats() {
        let t = Utc.with_ymd_and_hms(2026, 2, 3, 4, 5, 6).unwrap();
        assert_eq!(utc(&t), "2026-02-03 04:05 UTC");
        assert_eq!(utc_seconds(&t), "2026-02-03 04:05:06 UTC");
        assert_eq!(month_day_time(&t), "02-03 04:05");
        // As chrono's strftime wrote them.
        assert_eq!(utc(&t), t.format("%Y-%m-%d %H:%M UTC").to_string());
        assert_eq!(
            utc_seconds(&t),
            t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
        );
        assert_eq!(month_day_time(&t), t.format("%m-%d %H:%M").to_string());
    }

    #[test]
    fn reads_what_rfc_3339_allows_and_nothing_else() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 3, 31, 57).unwrap();
        for ok in [
            "2026-12-01T03:31:57Z",
            "2026-12-01t03:31:57z",
            "2026-12-01 03:31:57Z",
            "2026-12-01T04:31:57+01:00",
            "2026-11-30T22:01:57-05:30",
            "2026-12-01T03:31:57.000000000000Z",
        ] {
            assert_eq!(parse(ok), Some(t), "{ok}");
        }
        assert_eq!(
            parse("2026-12-01T03:31:57.5Z"),
            Some(t + TimeDelta::milliseconds(500))
        );
        assert_eq!(
            parse("2026-12-01T03:31:57.1234567891Z"),
            Some(t + TimeDelta::nanoseconds(123_456_789))
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-12-01T03:31:57",
            "2026-12-01T03:31:57+0100",
            "2026-12-01T03:31:57.Z",
            "2026-02-30T03:31:57Z",
            "2026-12-01T24:00:00Z",
            "2026-12-01T03:31:57Z ",
            "2026-12-01T03:31:57+24:00",
            "２０２６-12-01T03:31:57Z",
            "2026-12-01T03:31:5٧Z",
            "+2026-12-01T03:31:57Z",
            "2026-12-01T03:31:57Zjunk",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_model_reads_back_what_it_wrote() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct M {
            #[serde(with = "rfc3339")]
            at: DateTime<Utc>,
            #[serde(with = "rfc3339_option")]
            until: Option<DateTime<Utc>>,
        }
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 3, 31, 57).unwrap() + TimeDelta::microseconds(7);
        for m in [
            M { at: t, until: None },
            M {
                at: t,
                until: Some(t),
            },
        ] {
            let json = serde_json::to_string(&m).unwrap();
            // The wire is what chrono writes.
            assert!(
                json.contains(&format!(
                    "{:?}",
                    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                )),
                "{json}"
            );
            assert_eq!(serde_json::from_str::<M>(&json).unwrap(), m);
        }
        let bad = serde_json::from_str::<M>(r#"{"at":"yesterday","until":null}"#).unwrap_err();
        assert!(
            bad.to_string().contains("not an RFC 3339 timestamp"),
            "{bad}"
        );
    }

    proptest! {
        /// Whatever chrono writes, this reads back to the same instant, and agrees with
        /// chrono's own reader on it.
        #[test]
        fn reads_back_every_instant_chrono_writes(
            // Years 1 to 9999, a day clear of both ends (an offset keeps four digits).
            secs in -62_135_510_400i64..253_402_214_399i64,
            nanos in 0u32..1_000_000_000,
            offset_minutes in -1439i32..1439,
        ) {
            let t = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
            let written = serde_json::to_value(t).unwrap();
            let written = written.as_str().unwrap();
            prop_assert_eq!(parse(written), Some(t));
            let shifted = t
                .with_timezone(&chrono::FixedOffset::east_opt(offset_minutes * 60).unwrap())
                .to_rfc3339();
            prop_assert_eq!(parse(&shifted), Some(t), "{}", shifted);
        }
    }
}
