//! CRM vocabulary: client and interaction enums, and the parsers for contact details.

use crate::FieldError;

word_enum!(
    /// Where a client stands with the agency.
    ClientStatus { Lead => "lead", Active => "active", Paused => "paused", Former => "former" }
);
word_enum!(
    /// Company size band.
    CompanySize { Micro => "micro", Small => "small", Medium => "medium", Large => "large" }
);
word_enum!(
    /// How far a client is with AI.
    AiMaturity { None => "none", Low => "low", Medium => "medium", High => "high" }
);
word_enum!(
    /// Who may see a client: all members, or only listed users (owners and admins always).
    Visibility { Everyone => "everyone", Restricted => "restricted" }
);
word_enum!(
    /// What kind of touchpoint an interaction records.
    InteractionKind { Note => "note", Call => "call", Email => "email", Meeting => "meeting", Event => "event" }
);

/// An absolute http(s) URL; a bare domain gets `https://`.
pub fn website(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let with_scheme = if t.contains("://") {
        t.to_string()
    } else {
        format!("https://{t}")
    };
    let ok = (with_scheme.starts_with("https://") || with_scheme.starts_with("http://"))
        && with_scheme.len() <= 2048
        && !with_scheme
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        && with_scheme
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .is_some_and(|host| {
                host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
                    && host
                        .chars()
                        .all(|c| c.is_alphanumeric() || "-.:".contains(c))
            });
    if ok {
        Ok(with_scheme)
    } else {
        Err(FieldError::new(
            field,
            "must be a web address like https://example.com",
        ))
    }
}

/// A phone number: digits with optional +, spaces, dashes, dots and parentheses; 5 to 20 digits.
pub fn phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
        && (5..=20).contains(&digits)
        && t.chars().skip(1).all(|c| c != '+');
    if ok {
        Ok(t.to_string())
    } else {
        Err(FieldError::new(
            field,
            "must be a phone number such as +44 20 7946 0958",
        ))
    }
}

/// A tag colour `#rrggbb`.
pub fn colour(field: &str, raw: &str) -> Result<String, FieldError> {
    let t = raw.trim().to_lowercase();
    let ok = t.len() == 7 && t.starts_with('#') && t[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(t)
    } else {
        Err(FieldError::new(field, "must be a colour like #3b82f6"))
    }
}

/// Optional free text of at most `max` characters: `None` when blank.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.chars().count() > max => Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_name_their_allowed_values() {
        assert_eq!(
            ClientStatus::parse("status", "active").unwrap(),
            ClientStatus::Active
        );
        assert_eq!(
            ClientStatus::parse("status", "gold").unwrap_err().reason,
            "must be one of lead, active, paused, former"
        );
    }

    #[test]
    fn contact_details() {
        assert_eq!(website("website", "acme.com").unwrap(), "https://acme.com");
        assert!(website("website", "javascript:alert(1)").is_err());
        assert!(website("website", "not a url").is_err());
        assert!(phone("phone", "+44 (20) 7946-0958").is_ok());
        assert!(phone("phone", "call me").is_err());
        assert_eq!(colour("colour", "#3B82F6").unwrap(), "#3b82f6");
        assert!(colour("colour", "blue").is_err());
    }
}
