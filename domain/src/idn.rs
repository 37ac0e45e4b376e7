//! International domain names: between the Unicode form people type and
//! read (`münchen.de`) and the ASCII form DNS holds (`xn--mnchen-3ya.de`).
//!
//! On the server this is the `idna` crate's UTS #46 processing, which
//! decides what is stored. In the browser the same crate would bring its
//! Unicode tables (about 40 KB of the page's gzipped WebAssembly, kept in
//! the main module whichever island uses them), so there the browser's own
//! UTS #46 (the URL parser's host processing) converts, and xn-- labels
//! are only decoded. A name the browser lets through and the server does
//! not is refused by the server, with the same message.

/// A name that cannot be written in DNS, or an xn-- label that does not
/// decode to a valid international label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidName;

/// The ASCII form of a name (lower case; international labels in
/// punycode), or `Err` if it cannot be written in DNS.
pub fn to_ascii(name: &str) -> Result<String, InvalidName> {
    imp::to_ascii(name)
}

/// The Unicode form, for showing, and whether every xn-- label is valid.
pub fn to_unicode(name: &str) -> (String, Result<(), InvalidName>) {
    imp::to_unicode(name)
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use super::InvalidName;

    pub fn to_ascii(name: &str) -> Result<String, InvalidName> {
        idna::domain_to_ascii(name).map_err(|_| InvalidName)
    }

    pub fn to_unicode(name: &str) -> (String, Result<(), InvalidName>) {
        let (unicode, valid) = idna::domain_to_unicode(name);
        (unicode, valid.map_err(|_| InvalidName))
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use super::InvalidName;

    pub fn to_ascii(name: &str) -> Result<String, InvalidName> {
        if name.is_ascii() {
            // Upper case folds; what UTS #46 does to an ASCII name besides
            // checking its xn-- labels, which the server does again.
            let lower = name.to_ascii_lowercase();
            return to_unicode(&lower).1.map(|()| lower);
        }
        // Only a host can reach the URL parser's host processing: anything
        // that would end the host (or start a port) is not a name anyway.
        if name.contains(|c: char| c.is_ascii() && !(c.is_ascii_alphanumeric() || "-._*".contains(c))) {
            return Err(InvalidName);
        }
        // A last label of digits would be read as an IPv4 address (and
        // rewritten): the parser gets the name with a label after it.
        let url = web_sys::Url::new(&format!("http://{name}.x/")).map_err(|_| InvalidName)?;
        let host = url.hostname();
        host.strip_suffix(".x").map(str::to_string).ok_or(InvalidName)
    }

    pub fn to_unicode(name: &str) -> (String, Result<(), InvalidName>) {
        let mut valid = Ok(());
        let labels: Vec<String> = name
            .split('.')
            .map(|label| match label.get(..4) {
                Some(prefix) if prefix.eq_ignore_ascii_case("xn--") => {
                    match idna::punycode::decode_to_string(&label[4..]) {
                        Some(decoded) if !decoded.is_empty() && !decoded.is_ascii() => decoded,
                        _ => {
                            valid = Err(InvalidName);
                            label.to_string()
                        }
                    }
                }
                _ => label.to_string(),
            })
            .collect();
        (labels.join("."), valid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_both_ways() {
        assert_eq!(to_ascii("München.DE"), Ok("xn--mnchen-3ya.de".to_string()));
        assert_eq!(
            to_unicode("xn--mnchen-3ya.de"),
            ("münchen.de".to_string(), Ok(()))
        );
        assert_eq!(to_ascii("shop.example"), Ok("shop.example".to_string()));
        assert!(to_unicode("xn--zz.example").1.is_err());
    }
}
