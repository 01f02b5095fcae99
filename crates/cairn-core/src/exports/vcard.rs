//! vCard 4.0 (RFC 6350), written by hand: the format is small, and a writer we control can
//! guarantee escaping (§3.4), folding at 75 octets without splitting a character (§3.2) and
//! CRLF line endings.

use crate::contacts::ContactView;

/// Longest physical line in octets, excluding the CRLF (RFC 6350 §3.2).
const MAX_OCTETS: usize = 75;

/// Escapes a text value (RFC 6350 §3.4): backslash, comma, semicolon and line breaks. Other
/// control characters are not allowed in a value and are dropped.
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` to `out` folded to at most 75 octets per physical line, each ending in CRLF;
/// continuation lines start with one space (RFC 6350 §3.2). A UTF-8 character is never split,
/// and a physical line never ends in whitespace, which some parsers trim when unfolding.
pub fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    let mut first = true;
    loop {
        let room = if first { MAX_OCTETS } else { MAX_OCTETS - 1 };
        if !first {
            out.push(' ');
        }
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let without_trailing_space = rest[..cut].trim_end_matches([' ', '\t']).len();
        if without_trailing_space > 0 {
            cut = without_trailing_space;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n");
        rest = &rest[cut..];
        first = false;
    }
}

/// One vCard being written: content lines between BEGIN and END.
struct Card {
    out: String,
}

impl Card {
    fn begin() -> Self {
        let mut out = String::new();
        fold_line("BEGIN:VCARD", &mut out);
        fold_line("VERSION:4.0", &mut out);
        Self { out }
    }

    /// A property whose value is already in vCard syntax (escaped, or a URI).
    fn raw(&mut self, name: &str, value: &str) {
        fold_line(&format!("{name}:{value}"), &mut self.out);
    }

    /// A text property, escaped.
    fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    fn end(mut self) -> String {
        fold_line("END:VCARD", &mut self.out);
        self.out
    }
}

/// The structured name (family;given;additional;prefixes;suffixes) guessed from a display
/// name: the last word is the family name, the words before it the given name.
fn structured_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let (given, family) = match words.split_last() {
        Some((last, rest)) => (rest.join(" "), (*last).to_string()),
        None => (String::new(), String::new()),
    };
    format!("{};{};;;", escape_text(&family), escape_text(&given))
}

/// A phone number as a `tel:` URI (RFC 3966) when it is in international form; `None` for a
/// local number, which has no URI without a phone context.
fn tel_uri(phone: &str) -> Option<String> {
    let t = phone.trim();
    let rest = t.strip_prefix('+')?;
    let mut uri = String::from("tel:+");
    let mut last_was_separator = true;
    for c in rest.chars() {
        if c.is_ascii_digit() {
            uri.push(c);
            last_was_separator = false;
        } else if !last_was_separator {
            // Spaces, slashes and brackets become the visual separator `-`.
            uri.push('-');
            last_was_separator = true;
        }
    }
    let uri = uri.trim_end_matches('-').to_string();
    (uri.len() > "tel:+".len()).then_some(uri)
}

/// The vCard of one contact; `organisation` is the client's name.
pub fn contact_card(c: &ContactView, organisation: &str) -> String {
    let mut card = Card::begin();
    card.text("PRODID", "-//Cairn//Cairn CRM//EN");
    card.text("FN", &c.name);
    card.raw("N", &structured_name(&c.name));
    card.text("ORG", organisation);
    if let Some(t) = &c.title {
        card.text("TITLE", t);
    }
    if let Some(e) = &c.email {
        card.text("EMAIL;TYPE=work", e);
    }
    if let Some(p) = &c.phone {
        match tel_uri(p) {
            Some(uri) => card.raw("TEL;VALUE=uri;TYPE=work", &uri),
            None => card.text("TEL;TYPE=work", p),
        }
    }
    if !c.notes.trim().is_empty() {
        card.text("NOTE", &c.notes);
    }
    card.raw("UID", &format!("urn:uuid:{}", c.id));
    card.raw("REV", &c.updated_at.format("%Y%m%dT%H%M%SZ").to_string());
    card.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "").replace("\r\n\t", "")
    }

    #[test]
    fn escaping_covers_backslash_comma_semicolon_and_newlines() {
        assert_eq!(escape_text(r"a\b"), r"a\\b");
        assert_eq!(
            escape_text("Smith, Jones; Partners"),
            r"Smith\, Jones\; Partners"
        );
        assert_eq!(
            escape_text("one\ntwo\r\nthree\rfour"),
            r"one\ntwo\nthree\nfour"
        );
        assert_eq!(escape_text("bell\u{7}less\ttab"), "bellless\ttab");
        assert_eq!(escape_text("Zoë Ångström"), "Zoë Ångström");
    }

    #[test]
    fn short_lines_are_not_folded() {
        let mut out = String::new();
        fold_line("FN:Ada Lovelace", &mut out);
        assert_eq!(out, "FN:Ada Lovelace\r\n");
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_original() {
        let line = format!("NOTE:{}", "x".repeat(300));
        let mut out = String::new();
        fold_line(&line, &mut out);
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 3);
        assert_eq!(physical[0].len(), 75);
        for p in &physical[1..] {
            assert!(p.starts_with(' '));
            assert!(p.len() <= 75);
        }
        assert_eq!(unfold(&out), format!("{line}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        // 2-, 3- and 4-octet characters at every offset.
        for prefix in 0..4 {
            for ch in ["é", "€", "😀"] {
                let line = format!("FN:{}{}", "a".repeat(prefix), ch.repeat(80));
                let mut out = String::new();
                fold_line(&line, &mut out);
                for p in out.split("\r\n").filter(|p| !p.is_empty()) {
                    assert!(p.len() <= 75, "{} octets", p.len());
                }
                // Every physical line is valid UTF-8 on its own.
                for p in out.as_bytes().split(|b| *b == b'\n') {
                    assert!(std::str::from_utf8(p).is_ok());
                }
                assert_eq!(unfold(&out), format!("{line}\r\n"));
            }
        }
    }

    #[test]
    fn folded_lines_do_not_end_in_whitespace() {
        let line = format!("NOTE:{}", "word ".repeat(60));
        let mut out = String::new();
        fold_line(line.trim_end(), &mut out);
        for p in out.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(!p.ends_with(' '), "{p:?}");
            assert!(p.len() <= 75);
        }
        assert_eq!(unfold(&out), format!("{}\r\n", line.trim_end()));
    }

    #[test]
    fn names_split_into_family_and_given() {
        assert_eq!(structured_name("Ada King Lovelace"), "Lovelace;Ada King;;;");
        assert_eq!(structured_name("Cher"), "Cher;;;;");
        assert_eq!(structured_name("O;Neil, Jr"), r"Jr;O\;Neil\,;;;");
    }

    #[test]
    fn international_numbers_become_tel_uris() {
        assert_eq!(
            tel_uri("+44 20 7946 0958").as_deref(),
            Some("tel:+44-20-7946-0958")
        );
        assert_eq!(
            tel_uri("+1 (555) 010-0000").as_deref(),
            Some("tel:+1-555-010-0000")
        );
        assert_eq!(tel_uri("020 7946 0958"), None);
    }
}
