use serde::{Deserialize, Serialize};

/// Where to send a user after signing in: a path on this site only, so a
/// crafted `?next=` can never send anyone to another site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextPath(String);

impl NextPath {
    /// A same-site path, or `None` for anything else (absolute URLs,
    /// protocol-relative `//host`, backslash tricks, control characters).
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.trim();
        let same_site = s.starts_with('/')
            && !s.starts_with("//")
            && !s.starts_with("/\\")
            && !s.chars().any(|c| c.is_control() || c == '\\')
            && s.len() <= 2048;
        same_site.then(|| Self(s.to_string()))
    }

    /// The path, or the dashboard when none (or an unsafe one) was given.
    pub fn or_dashboard(input: Option<&str>) -> Self {
        input.and_then(Self::parse).unwrap_or_else(|| Self("/".into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Percent-encodes a value for use in a query string.
pub fn encode_query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/hosting?page=2&q=a b"),
            "/hosting%3Fpage%3D2%26q%3Da%20b"
        );
    }

    #[test]
    fn keeps_paths_on_this_site() {
        assert_eq!(
            NextPath::parse("/hosting?page=2").unwrap().as_str(),
            "/hosting?page=2"
        );
        assert_eq!(NextPath::or_dashboard(Some("/settings")).as_str(), "/settings");
    }

    #[test]
    fn ignores_anything_that_could_leave_the_site() {
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/ok\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(NextPath::parse(bad), None, "{bad:?}");
            assert_eq!(NextPath::or_dashboard(Some(bad)).as_str(), "/");
        }
        assert_eq!(NextPath::or_dashboard(None).as_str(), "/");
    }
}
