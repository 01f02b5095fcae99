//! Parsers that only build valid values. Each returns a `FieldError` naming the field.

use crate::FieldError;

/// A syntactically valid email address, trimmed and lower-cased (emails are unique
/// case-insensitively).
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_lowercase();
    if e.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if e.len() > 254 {
        return Err(FieldError::new(field, "must be at most 254 characters"));
    }
    let Some((local, domain)) = e.split_once('@') else {
        return Err(FieldError::new(
            field,
            "must be an email address like name@example.com",
        ));
    };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.contains(char::is_whitespace) || !domain_ok {
        return Err(FieldError::new(
            field,
            "must be an email address like name@example.com",
        ));
    }
    Ok(e)
}

/// A required single-line text of at most `max` characters, trimmed.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "is required"));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(t.to_string())
}

/// A URL-safe workspace slug: 2-48 of a-z, 0-9 and '-', not starting or ending with '-'.
pub fn slug(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_lowercase();
    let ok = (2..=48).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !ok {
        return Err(FieldError::new(
            field,
            "must be 2-48 characters of a-z, 0-9 and '-'",
        ));
    }
    Ok(s)
}

/// Derives a slug from a display name ("Acme Studio" → "acme-studio").
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out
        .trim_end_matches('-')
        .chars()
        .take(40)
        .collect::<String>();
    if out.len() < 2 {
        format!("ws-{out}")
    } else {
        out
    }
}

/// An IANA time zone name such as `Europe/Berlin` or `UTC`, checked against the tz database.
pub fn timezone(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    match t.parse::<chrono_tz::Tz>() {
        Ok(tz) => Ok(tz.name().to_string()),
        Err(_) => Err(FieldError::new(
            field,
            "must be an IANA time zone such as Europe/Berlin or UTC",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email("email", " Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        assert!(email("email", "no-at-sign").is_err());
        assert!(email("email", "a@b").is_err());
        assert_eq!(email("email", "").unwrap_err().reason, "is required");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Studio!"), "acme-studio");
        assert!(slug("slug", "-bad").is_err());
        assert!(slug("slug", "ok-slug-1").is_ok());
    }
}
