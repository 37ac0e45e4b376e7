//! The codes of two-factor authentication: time-based codes (TOTP, RFC
//! 6238, via `totp-rs`), accepted one time step either side of now, and
//! single-use recovery codes, stored hashed.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use totp_rs::{Algorithm, TOTP};

pub(super) const STEP_SECS: i64 = 30;
pub(super) const DIGITS: usize = 6;
/// 160-bit seeds, as RFC 4226 recommends.
pub(super) const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Recovery code letters: no 0/o, 1/l/i, so they can be read aloud and typed.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

pub(super) fn totp(secret: Vec<u8>, account: &str) -> TOTP {
    // `new_unchecked`: the label is an email address we already validated,
    // and the seed length is ours.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECS as u64,
        secret,
        Some(domain::PRODUCT_NAME.to_string()),
        account.to_string(),
    )
}

/// The code an authenticator shows at `at` for a base32 seed (as on the
/// enrolment page). For tests and scripts that play the user's phone.
pub fn code_for_base32(secret: &str, at: OffsetDateTime) -> Option<String> {
    let bytes = totp_rs::Secret::Encoded(secret.replace(' ', ""))
        .to_bytes()
        .ok()?;
    Some(totp(bytes, "x").generate(at.unix_timestamp().max(0) as u64))
}

pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The time step whose code is `code`, among now and one step either side.
pub(super) fn matching_step(secret: &[u8], code: &str, now: OffsetDateTime) -> Option<i64> {
    let t = totp(secret.to_vec(), "x");
    let current = now.unix_timestamp().div_euclid(STEP_SECS);
    [current, current - 1, current + 1].into_iter().find(|step| {
        let expected = t.generate((step * STEP_SECS).max(0) as u64);
        constant_time_eq(expected.as_bytes(), code.as_bytes())
    })
}

/// What the user typed in a code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits from the authenticator app.
    Code(String),
    /// A recovery code, normalised (lower case, no separators).
    Recovery(String),
}

impl SecondFactor {
    /// None when nothing usable was typed.
    pub fn parse(input: &str) -> Option<Self> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_lowercase();
        if compact.len() == DIGITS && compact.chars().all(|c| c.is_ascii_digit()) {
            Some(Self::Code(compact))
        } else if compact.len() == 10 && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            Some(Self::Recovery(compact))
        } else {
            None
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Code(_) => "code",
            Self::Recovery(_) => "recovery_code",
        }
    }
}

pub(super) fn hash_recovery_code(normalised: &str) -> Vec<u8> {
    Sha256::digest(normalised.as_bytes()).to_vec()
}

/// Ten new codes as the user sees them ("abcde-fghjk").
pub(super) fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let mut bytes = [0u8; 10];
            OsRng.fill_bytes(&mut bytes);
            let letters: String = bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[*b as usize % RECOVERY_ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &letters[..5], &letters[5..])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_6238_vectors_within_one_step() {
        // RFC 6238 appendix B, SHA-1, 8 digits "94287082" at T=59; our 6
        // digits are its last six.
        let at = datetime!(1970-01-01 00:00:59 UTC);
        assert_eq!(matching_step(SEED, "287082", at), Some(1));
        // One step late or early is still accepted; two is not.
        assert_eq!(
            matching_step(SEED, "287082", at + time::Duration::seconds(30)),
            Some(1)
        );
        assert_eq!(
            matching_step(SEED, "287082", at - time::Duration::seconds(30)),
            Some(1)
        );
        assert_eq!(
            matching_step(SEED, "287082", at + time::Duration::seconds(61)),
            None
        );
        assert_eq!(matching_step(SEED, "000000", at), None);
    }

    #[test]
    fn typed_codes_are_read_generously() {
        assert_eq!(
            SecondFactor::parse(" 123 456 "),
            Some(SecondFactor::Code("123456".into()))
        );
        assert_eq!(
            SecondFactor::parse("ABCDE-FGHJK"),
            Some(SecondFactor::Recovery("abcdefghjk".into()))
        );
        assert_eq!(SecondFactor::parse(""), None);
        assert_eq!(SecondFactor::parse("12345"), None);
        assert_eq!(SecondFactor::parse("abcde-fghj0"), None);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_readable_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 10);
        for code in &codes {
            assert!(
                matches!(SecondFactor::parse(code), Some(SecondFactor::Recovery(_))),
                "{code}"
            );
        }
    }
}
