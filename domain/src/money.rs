//! Money as integer minor units and a currency: never floating point.

use serde::{Deserialize, Serialize};

/// A three-letter ISO 4217 code, upper case ("EUR").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn parse(input: &str) -> Option<Self> {
        let code = input.trim().to_uppercase();
        (code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value).ok_or_else(|| format!("not a currency code: {value:?}"))
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.0
    }
}

/// An amount: minor units (cents) of a currency with two decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_minor(self.minor, self.currency.as_str()))
    }
}

/// "9.99" → 999. At most two decimals, not negative, no overflow.
pub fn parse_minor(input: &str) -> Option<i64> {
    let s = input.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// "1200" JPY → 1200, "9.99" EUR → 999, "1.5" KWD → 1500: at most the
/// currency's decimals, not negative, no overflow.
pub fn parse_minor_in(input: &str, currency: &str) -> Option<i64> {
    let d = decimals(currency) as usize;
    let s = input.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > d {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) || (d == 0 && s.contains('.')) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if d == 0 {
        0
    } else {
        format!("{frac:0<d$}").parse().ok()?
    };
    whole.checked_mul(10i64.pow(d as u32))?.checked_add(frac)
}

/// How many decimals a currency's minor unit has (ISO 4217, as Stripe
/// counts them): none for yen and the like, three for the dinars, else two.
pub fn decimals(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
        "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];
    let code = currency.to_ascii_uppercase();
    if ZERO.contains(&code.as_str()) {
        0
    } else if THREE.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// 999, "EUR" → "9.99 EUR"; 1200, "JPY" → "1200 JPY"; negative amounts
/// keep their sign.
pub fn format_minor(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let code = currency.to_ascii_uppercase();
    match decimals(&code) {
        0 => format!("{sign}{abs} {code}"),
        d => {
            let unit = 10u64.pow(d);
            format!(
                "{sign}{}.{:0width$} {code}",
                abs / unit,
                abs % unit,
                width = d as usize
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_minor_units() {
        assert_eq!(parse_minor("9.99"), Some(999));
        assert_eq!(parse_minor("10"), Some(1000));
        assert_eq!(parse_minor("0.5"), Some(50));
        assert_eq!(parse_minor("1.234"), None);
        assert_eq!(parse_minor("-1"), None);
        assert_eq!(parse_minor("abc"), None);
        assert_eq!(parse_minor(""), None);
        assert_eq!(parse_minor("99999999999999999999"), None);
        assert_eq!(format_minor(1499, "EUR"), "14.99 EUR");
        assert_eq!(format_minor(-250, "EUR"), "-2.50 EUR");
    }

    #[test]
    fn prices_are_read_in_their_currency_s_minor_units() {
        assert_eq!(parse_minor_in("1200", "JPY"), Some(1200));
        assert_eq!(parse_minor_in("12.00", "JPY"), None);
        assert_eq!(parse_minor_in("9.99", "EUR"), Some(999));
        assert_eq!(parse_minor_in("9.999", "EUR"), None);
        assert_eq!(parse_minor_in("1.5", "KWD"), Some(1500));
        assert_eq!(parse_minor_in("99999999999999999999", "USD"), None);
    }

    #[test]
    fn amounts_show_their_currency_s_minor_units() {
        assert_eq!(format_minor(1200, "JPY"), "1200 JPY");
        assert_eq!(format_minor(1200, "jpy"), "1200 JPY");
        assert_eq!(format_minor(2000, "USD"), "20.00 USD");
        assert_eq!(format_minor(5, "USD"), "0.05 USD");
        assert_eq!(format_minor(12345, "KWD"), "12.345 KWD");
        assert_eq!(format_minor(i64::MIN, "USD"), "-92233720368547758.08 USD");
    }

    #[test]
    fn currencies_are_three_letters() {
        assert_eq!(Currency::parse(" eur ").unwrap().as_str(), "EUR");
        assert!(Currency::parse("EURO").is_none());
        assert!(Currency::parse("E1R").is_none());
    }
}
