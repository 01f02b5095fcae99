//! Reading submitted form fields: ids, durations, optional text, return paths. Values stay
//! strings in the form structs so any input renders back; these turn them into what the core
//! takes, naming the field on failure.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cairn_domain::{DomainError, FieldError};

/// A record id from the path; `None` answers 404.
pub fn path_id(id: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(id).ok()
}

/// An optional id field: blank is `None`.
pub fn optional_id(field: &str, raw: &str) -> Result<Option<uuid::Uuid>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        t => uuid::Uuid::parse_str(t)
            .map(Some)
            .map_err(|_| FieldError::new(field, "is not a valid choice")),
    }
}

/// Ids of checked boxes; anything not an id is refused.
pub fn ids(field: &str, raw: &[String]) -> Result<Vec<uuid::Uuid>, FieldError> {
    raw.iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            uuid::Uuid::parse_str(r.trim())
                .map_err(|_| FieldError::new(field, "is not a valid choice"))
        })
        .collect()
}

/// Optional text for a field that `Some(None)` clears.
pub fn clearable(raw: &str) -> Option<Option<String>> {
    Some(Some(raw.trim().to_string()).filter(|t| !t.is_empty()))
}

/// A duration typed as minutes (`90`), hours and minutes (`1:30`, `1h30`, `1h 30m`) or decimal
/// hours (`1.5h`); `None` when blank.
pub fn duration(field: &str, raw: &str) -> Result<Option<i32>, FieldError> {
    let t = raw.trim().to_ascii_lowercase().replace(' ', "");
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || FieldError::new(field, "must be minutes (90), h:mm (1:30) or hours (1.5h)");
    let minutes: f64 = if let Some((h, m)) = t.split_once(':') {
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if m >= 60 {
            return Err(bad());
        }
        f64::from(h * 60 + m)
    } else if let Some((h, rest)) = t.split_once('h') {
        let hours: f64 = if h.is_empty() {
            0.0
        } else {
            h.parse().map_err(|_| bad())?
        };
        let m = rest.trim_end_matches("min").trim_end_matches('m');
        if h.is_empty() && m.is_empty() {
            return Err(bad());
        }
        let mins: f64 = if m.is_empty() {
            0.0
        } else {
            m.parse::<u32>().map(f64::from).map_err(|_| bad())?
        };
        hours * 60.0 + mins
    } else {
        let m = t.trim_end_matches("min").trim_end_matches('m');
        m.parse::<u32>().map(f64::from).map_err(|_| bad())?
    };
    if !minutes.is_finite() || !(0.0..=1_000_000.0).contains(&minutes) {
        return Err(bad());
    }
    Ok(Some(minutes.round() as i32))
}

/// Minutes as `1h 30m` (or `45m`).
pub fn hours(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, 0) => "0h".into(),
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// Minutes read as hours in templates: `{{ e.minutes.hm() }}` gives `1h 30m`.
pub trait Hm {
    /// The minutes as `1h 30m`, or blank for zero (empty grid cells).
    fn hm(&self) -> String;
}

impl Hm for i64 {
    fn hm(&self) -> String {
        if *self == 0 {
            String::new()
        } else {
            hours(*self)
        }
    }
}

impl Hm for i32 {
    fn hm(&self) -> String {
        i64::from(*self).hm()
    }
}

/// A local path to go back to after a form, or `default`: only same-site paths, so a form
/// cannot be made to redirect elsewhere.
pub fn back_path(raw: &str, default: &str) -> String {
    let t = raw.trim();
    // Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become
    // "//evil.example": refuse whitespace and control characters outright.
    let odd = |c: char| c.is_whitespace() || c.is_control() || c == '\\';
    if t.starts_with('/') && !t.starts_with("//") && !t.contains("://") && !t.chars().any(odd) {
        t.to_string()
    } else {
        default.to_string()
    }
}

/// Whether the request came from htmx (it then wants a fragment, not a page).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// A domain error for an htmx request: its status and one plain line, which cairn.js shows
/// as a toast.
pub fn fragment_error(e: DomainError) -> Response {
    let status = crate::error::status_of(&e);
    let text = match e {
        DomainError::NotFound(_) => "There is nothing here, or you may not see it.".to_string(),
        DomainError::Internal(_) => "Something went wrong on our side. Please try again.".into(),
        DomainError::Invalid(list) => list
            .iter()
            .map(|f| format!("{}: {}", f.field.replace('_', " "), f.reason))
            .collect::<Vec<_>>()
            .join("; "),
        e @ DomainError::StaleVersion { .. } => {
            format!("Not saved: {e}. Reload the page to see the latest.")
        }
        other => other.to_string(),
    };
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// 400 when a form came back with errors, 200 otherwise.
pub fn form_status(ok: bool) -> StatusCode {
    if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_minutes_hours_and_clock_times() {
        for (raw, want) in [
            ("90", 90),
            ("1:30", 90),
            ("1h30", 90),
            ("1h 30m", 90),
            ("1.5h", 90),
            ("2h", 120),
            ("45m", 45),
            ("0:05", 5),
        ] {
            assert_eq!(duration("minutes", raw).unwrap(), Some(want), "{raw}");
        }
        assert_eq!(duration("minutes", " ").unwrap(), None);
        for bad in ["abc", "1:75", "-5", "1:xx", "h"] {
            assert!(duration("minutes", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn back_paths_stay_on_this_site() {
        assert_eq!(back_path("/work?x=1", "/"), "/work?x=1");
        for evil in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\n/evil.example",
            "work",
        ] {
            assert_eq!(back_path(evil, "/work"), "/work", "{evil}");
        }
    }

    #[test]
    fn hours_read_like_people_write_them() {
        assert_eq!(hours(0), "0h");
        assert_eq!(hours(45), "45m");
        assert_eq!(hours(120), "2h");
        assert_eq!(hours(135), "2h 15m");
    }
}
