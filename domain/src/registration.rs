//! Domain registration's shared types: what a name for sale is, who
//! registers it (the contact registries require), and an order's states.

use serde::{Deserialize, Serialize};

use crate::domain_name::DomainName;

/// A name we can sell: one label directly under a TLD of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameForSale {
    pub name: DomainName,
    /// The label before the TLD ("example" of example.co.uk).
    pub sld: String,
    /// The TLD as sold ("co.uk").
    pub tld: String,
}

/// Why a name cannot be bought here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameForSaleError {
    #[error("{0}")]
    Name(#[from] crate::domain_name::DomainNameError),
    #[error("We do not sell .{0} names. Choose one of the extensions listed.")]
    TldNotSold(String),
    #[error("Only names directly under the extension can be registered (like example.{0}), not subdomains.")]
    Subdomain(String),
}

impl NameForSale {
    /// `input` read as a name under one of `tlds` (lower-case ASCII, without
    /// the dot; the longest that fits wins, so "co.uk" before "uk").
    pub fn parse(input: &str, tlds: &[String]) -> Result<Self, NameForSaleError> {
        let name = DomainName::parse(input)?;
        let ascii = name.as_str().to_string();
        let tld = tlds
            .iter()
            .filter(|t| ascii.ends_with(&format!(".{t}")))
            .max_by_key(|t| t.len())
            .ok_or_else(|| {
                NameForSaleError::TldNotSold(ascii.rsplit('.').next().unwrap_or_default().to_string())
            })?;
        let sld = &ascii[..ascii.len() - tld.len() - 1];
        if sld.contains('.') {
            return Err(NameForSaleError::Subdomain(tld.clone()));
        }
        Ok(Self {
            sld: sld.to_string(),
            tld: tld.clone(),
            name,
        })
    }

    /// The name as people read it (international names in Unicode).
    pub fn display(&self) -> String {
        crate::idn::to_unicode(self.name.as_str()).0
    }
}

/// What a search box holds, as the label to try under every TLD: "Bücher"
/// and "bücher.de" both give "xn--bcher-kva"; anything else gets the
/// name's own error.
pub fn search_label(input: &str) -> Result<String, crate::domain_name::DomainNameError> {
    let trimmed = input.trim().trim_end_matches('.');
    let first = trimmed.split('.').next().unwrap_or_default();
    // A bare label is parsed with a placeholder TLD, for the same rules.
    let name = DomainName::parse(&format!("{first}.com"))?;
    Ok(name.as_str().trim_end_matches(".com").to_string())
}

/// The registrant: registries require every one of these (but the
/// organisation and the second address line), and Namecheap uses it for
/// the admin, tech and billing contacts too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub organization: String,
    pub address1: String,
    #[serde(default)]
    pub address2: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// `+CC.NUMBER`, the format registries use.
    pub phone: String,
    pub email: String,
}

/// ISO 3166-1 alpha-2 codes registries accept.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

impl Contact {
    /// The contact with its fields tidied (trimmed, country upper case,
    /// phone as `+CC.NUMBER`), or every field's error at once.
    pub fn validated(&self) -> Result<Contact, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let mut c = self.clone();
        for (field, value, label, max) in [
            ("first_name", &mut c.first_name, "first name", 60),
            ("last_name", &mut c.last_name, "last name", 60),
            ("organization", &mut c.organization, "", 100),
            ("address1", &mut c.address1, "street address", 100),
            ("address2", &mut c.address2, "", 100),
            ("city", &mut c.city, "city", 60),
            ("state_province", &mut c.state_province, "state or province", 60),
            ("email", &mut c.email, "email address", 254),
        ] {
            *value = value.trim().to_string();
            if value.is_empty() && !label.is_empty() {
                errors.push((field, format!("Enter the {label}.")));
            } else if value.chars().count() > max {
                errors.push((field, format!("At most {max} characters.")));
            } else if value.chars().any(char::is_control) {
                errors.push((field, "Remove the line breaks and special characters.".into()));
            }
        }
        c.country = c.country.trim().to_ascii_uppercase();
        if !(c.country.len() == 2 && COUNTRIES.split(' ').any(|k| k == c.country)) {
            errors.push(("country", "Choose a country.".into()));
        }
        match postal_code(&c.postal_code, &c.country) {
            Ok(p) => c.postal_code = p,
            Err(e) => errors.push(("postal_code", e)),
        }
        match phone(&c.phone) {
            Ok(p) => c.phone = p,
            Err(e) => errors.push(("phone", e)),
        }
        if !c.email.is_empty() && crate::email::Email::parse(&c.email).is_err() {
            errors.push(("email", "Enter an email address like name@example.com.".into()));
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }
}

fn postal_code(input: &str, country: &str) -> Result<String, String> {
    let p = input.trim().to_ascii_uppercase();
    let digits = |n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    let ok = match country {
        "US" => {
            digits(5)
                || (p.len() == 10
                    && p.as_bytes()[5] == b'-'
                    && p.replace('-', "").len() == 9
                    && p.replace('-', "").chars().all(|c| c.is_ascii_digit()))
        }
        "DE" | "FR" | "ES" | "IT" | "FI" => digits(5),
        "AT" | "CH" | "DK" | "BE" | "NO" | "AU" => digits(4),
        "NL" => (6..=7).contains(&p.len()) && p.is_ascii() && p.chars().take(4).all(|c| c.is_ascii_digit()),
        _ => {
            !p.is_empty()
                && p.len() <= 16
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        }
    };
    if ok {
        Ok(p)
    } else if p.is_empty() {
        Err("Enter the postal code.".into())
    } else {
        Err("This is not a postal code of the country chosen.".into())
    }
}

/// `+49 30 1234567`, `+49.301234567` and `+1-555-0100` become `+CC.DIGITS`:
/// the country code is the digits before the first separator.
fn phone(input: &str) -> Result<String, String> {
    const HINT: &str = "Enter the number with its country code, like +49 30 1234567.";
    let s = input.trim();
    let rest = s.strip_prefix('+').ok_or(HINT)?;
    let cut = rest.find(['.', ' ', '-']).ok_or(HINT)?;
    let (cc, number) = rest.split_at(cut);
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    let clean = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ' ' | '-' | '(' | ')'));
    if cc.is_empty()
        || cc.len() > 3
        || !cc.chars().all(|c| c.is_ascii_digit())
        || !clean
        || !(4..=14).contains(&digits.len())
    {
        return Err(HINT.into());
    }
    Ok(format!("+{cc}.{digits}"))
}

/// Years a name is registered or renewed for.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=10;

crate::billing::text_enum! {
    /// Where a domain order is.
    DomainOrderStatus {
        AwaitingPayment => "awaiting_payment", "Awaiting payment", "badge badge-info";
        Paid => "paid", "Paid, registering", "badge badge-info";
        Registering => "registering", "Registering", "badge badge-info";
        Transferring => "transferring", "Transfer pending", "badge badge-info";
        StaffTask => "staff_task", "With our team", "badge badge-info";
        Registered => "registered", "Registered", "badge badge-success";
        Refunding => "refunding", "Refunding", "badge badge-warning";
        Refunded => "refunded", "Refunded", "badge badge-warning";
        Failed => "failed", "Needs staff", "badge badge-danger";
        Expired => "expired", "Expired", "badge badge-danger";
    }
}

crate::billing::text_enum! {
    /// What a domain order buys.
    DomainOrderKind {
        Register => "register", "Registration", "badge badge-info";
        Renew => "renew", "Renewal", "badge badge-info";
        Transfer => "transfer", "Transfer in", "badge badge-info";
    }
}

impl DomainOrderStatus {
    /// Paid and not yet finished: the page waits for the worker.
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            Self::Paid | Self::Registering | Self::Transferring | Self::StaffTask | Self::Refunding
        )
    }
}

impl DomainOrderKind {
    /// The verb of the order, as in "we could not {verb} example.com".
    pub fn verb(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Renew => "renew",
            Self::Transfer => "transfer",
        }
    }
}

/// The language of an internationalised name, as the three-letter code
/// registrars ask with its punycode (Namecheap's `IdnCode`): read from its
/// script, and for Latin letters from the letters only some languages use.
/// None for plain ASCII names, or when nothing tells (the registrar then
/// answers, and a refusal is refunded).
pub fn idn_language(name: &str) -> Option<&'static str> {
    let (unicode, _) = crate::idn::to_unicode(name);
    let label = unicode
        .rsplit_once('.')
        .map_or(unicode.as_str(), |(l, _)| l)
        .to_string();
    if label.is_ascii() {
        return None;
    }
    let has = |set: &str| label.chars().any(|c| set.contains(c));
    let script = [
        (('\u{0400}', '\u{04FF}'), "rus"),
        (('\u{0370}', '\u{03FF}'), "gre"),
        (('\u{0590}', '\u{05FF}'), "heb"),
        (('\u{0600}', '\u{06FF}'), "ara"),
        (('\u{0E00}', '\u{0E7F}'), "tha"),
        (('\u{3040}', '\u{30FF}'), "jpn"),
        (('\u{AC00}', '\u{D7AF}'), "kor"),
        (('\u{4E00}', '\u{9FFF}'), "chi"),
    ]
    .into_iter()
    .find(|((lo, hi), _)| label.chars().any(|c| (*lo..=*hi).contains(&c)));
    if let Some((_, code)) = script {
        return Some(code);
    }
    [
        ("äöüß", "ger"),
        ("ñ", "spa"),
        ("ãõ", "por"),
        ("łśżźąęń", "pol"),
        ("őű", "hun"),
        ("şğı", "tur"),
        ("čřěů", "cze"),
        ("æø", "dan"),
        ("å", "swe"),
        ("çéèêàâîôûëïœ", "fre"),
        ("ìòù", "ita"),
    ]
    .into_iter()
    .find(|(letters, _)| has(letters))
    .map(|(_, code)| code)
}

/// The transfer authorisation ("EPP" or "auth") code the current registrar
/// gives the owner: printable ASCII without spaces, 4 to 64 characters.
pub fn auth_code(input: &str) -> Result<String, &'static str> {
    let code = input.trim();
    if code.is_empty() {
        return Err("Enter the transfer code your current registrar gave you.");
    }
    if !(4..=64).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_graphic()) {
        return Err("A transfer code is 4 to 64 letters, digits or symbols, without spaces. Copy it again from your current registrar.");
    }
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlds() -> Vec<String> {
        ["com", "uk", "co.uk", "de"].map(String::from).to_vec()
    }

    #[test]
    fn idn_languages_come_from_script_and_letters() {
        assert_eq!(idn_language("example.com"), None);
        assert_eq!(idn_language("xn--bcher-kva.de"), Some("ger"), "bücher");
        assert_eq!(idn_language("xn--espaa-rta.com"), Some("spa"), "españa");
        assert_eq!(idn_language("xn--e1afmkfd.com"), Some("rus"), "пример");
        assert_eq!(idn_language("xn--fsqu00a.com"), Some("chi"), "例子");
        assert_eq!(idn_language("xn--caf-dma.com"), Some("fre"), "café");
    }

    #[test]
    fn transfer_codes_are_printable_and_bounded() {
        assert_eq!(auth_code("  Ab3$x#9Z ").unwrap(), "Ab3$x#9Z");
        assert!(auth_code("").is_err());
        assert!(auth_code("abc").is_err());
        assert!(auth_code("has space").is_err());
        assert!(auth_code("ünïcode").is_err());
        assert!(auth_code(&"x".repeat(65)).is_err());
    }

    #[test]
    fn names_for_sale_are_one_label_under_a_sold_tld() {
        let n = NameForSale::parse("Example.CO.uk", &tlds()).unwrap();
        assert_eq!((n.sld.as_str(), n.tld.as_str()), ("example", "co.uk"));
        let idn = NameForSale::parse("bücher.de", &tlds()).unwrap();
        assert_eq!(idn.name.as_str(), "xn--bcher-kva.de");
        assert_eq!(idn.display(), "bücher.de");
        assert_eq!(
            NameForSale::parse("example.io", &tlds()),
            Err(NameForSaleError::TldNotSold("io".into()))
        );
        assert_eq!(
            NameForSale::parse("www.example.com", &tlds()),
            Err(NameForSaleError::Subdomain("com".into()))
        );
        assert!(NameForSale::parse("-bad-.com", &tlds()).is_err());
    }

    #[test]
    fn a_search_is_the_first_label() {
        assert_eq!(search_label(" My-Shop.com ").unwrap(), "my-shop");
        assert_eq!(search_label("bücher").unwrap(), "xn--bcher-kva");
        assert!(search_label("bad_name").is_err());
        assert!(search_label("").is_err());
    }

    fn contact() -> Contact {
        Contact {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            address1: "1 Analytical Way".into(),
            city: "Berlin".into(),
            state_province: "Berlin".into(),
            postal_code: "10115".into(),
            country: "de".into(),
            phone: "+49 30 1234567".into(),
            email: "ada@example.com".into(),
            ..Contact::default()
        }
    }

    #[test]
    fn a_good_contact_is_tidied() {
        let c = contact().validated().unwrap();
        assert_eq!(c.first_name, "Ada");
        assert_eq!(c.country, "DE");
        assert_eq!(c.phone, "+49.301234567");
    }

    #[test]
    fn a_postal_code_that_is_not_ascii_is_refused_not_cut() {
        for country in ["NL", "US", "DE", "GB"] {
            let c = Contact {
                country: country.into(),
                postal_code: "12ü4 AB".into(),
                ..contact()
            };
            assert!(c.validated().is_err(), "{country}");
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = Contact {
            first_name: String::new(),
            postal_code: "1/2".into(),
            country: "XX".into(),
            phone: "030 1234567".into(),
            email: "nope".into(),
            ..contact()
        };
        let fields: Vec<_> = bad.validated().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["first_name", "country", "postal_code", "phone", "email"]);
        let us = Contact {
            country: "US".into(),
            postal_code: "94107-1234".into(),
            ..contact()
        };
        assert!(us.validated().is_ok());
    }
}
