//! Password policy: 12 to 256 characters, and not a known common or easily guessed password.

use crate::FieldError;

/// Shortest accepted password, in characters.
pub const MIN_LEN: usize = 12;
/// Longest accepted password, in characters (long passphrases are welcome).
pub const MAX_LEN: usize = 256;

/// Checks a new password against the policy; `field` names the form field in the error.
///
/// The common-password check uses zxcvbn's built-in frequency lists (the most common
/// passwords, names and words, with l33t and reversed variants): a password that is one
/// dictionary entry, or that zxcvbn rates as guessable within about 10^6 guesses, is refused.
pub fn check_new_password(field: &str, password: &str, context: &[&str]) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_LEN} characters"),
        ));
    }
    if len > MAX_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, context);
    let single_common_word = estimate.sequence().len() == 1
        && matches!(
            estimate.sequence()[0].pattern,
            zxcvbn::matching::patterns::MatchPattern::Dictionary(_)
        );
    if single_common_word || (estimate.score() as u8) < 2 {
        return Err(FieldError::new(
            field,
            "is too common or too easy to guess; choose a longer, less predictable password",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_common_and_guessable_passwords() {
        assert!(check_new_password("password", "short", &[]).is_err());
        assert!(check_new_password("password", "password1234", &[]).is_err());
        assert!(check_new_password("password", "aaaaaaaaaaaaaaaa", &[]).is_err());
        assert!(check_new_password("password", "qwertyuiop123", &[]).is_err());
        assert!(check_new_password("password", &"x".repeat(300), &[]).is_err());
    }

    #[test]
    fn accepts_a_strong_passphrase() {
        assert!(check_new_password("password", "lunar-tugboat-Quince-81", &[]).is_ok());
        assert!(
            check_new_password("password", &"correct horse battery staple ".repeat(4), &[]).is_ok()
        );
    }
}
