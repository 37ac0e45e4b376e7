//! TXT values: people type one text; DNS carries strings of at most 255
//! bytes. Long texts (DKIM keys) are split when served and shown joined.

/// At most this many bytes in one TXT record (a DKIM key of 4096 bits fits).
pub const MAX_BYTES: usize = 4000;

/// The text typed into the editor: either plain, or one or more quoted
/// strings as zone files write them (`"v=DKIM1; " "k=rsa; p=…"`), joined.
pub fn parse_input(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Enter the text.".into());
    }
    let text = if trimmed.starts_with('"') {
        unquote(trimmed)?
    } else {
        trimmed.to_string()
    };
    if text.is_empty() {
        return Err("Enter the text.".into());
    }
    if text.chars().any(char::is_control) {
        return Err("The text cannot contain line breaks or control characters.".into());
    }
    if text.len() > MAX_BYTES {
        return Err(format!("The text can have at most {MAX_BYTES} bytes."));
    }
    Ok(text)
}

/// `"a" "b"` → `ab`, with `\"` and `\\` escapes.
fn unquote(input: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = input.chars();
    loop {
        match chars.next() {
            None => return Ok(out),
            Some(c) if c.is_whitespace() => continue,
            Some('"') => loop {
                match chars.next() {
                    None => return Err("A quoted string is not closed: add the final \".".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(e) => out.push(e),
                        None => return Err("A quoted string is not closed: add the final \".".into()),
                    },
                    Some(c) => out.push(c),
                }
            },
            Some(_) => {
                return Err(
                    "Write the text without quotes, or put every part in quotes: \"part one\" \"part two\"."
                        .into(),
                )
            }
        }
    }
}

/// The strings of at most 255 bytes DNS carries, cut at character bounds.
pub fn split(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.len() > 255 {
        let mut cut = 255;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }
    parts.push(rest);
    parts
}

/// The text as zone-file strings: `"part" "part"`.
pub fn quoted(text: &str) -> String {
    split(text)
        .into_iter()
        .map(super::zonefile::character_string)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_split_and_joined() {
        let key = format!("v=DKIM1; k=rsa; p={}", "A".repeat(600));
        let parts = split(&key);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.len() <= 255));
        assert_eq!(parts.concat(), key);
        assert_eq!(parse_input(&quoted(&key)).unwrap(), key);
        let unicode = "é".repeat(200);
        assert!(split(&unicode).iter().all(|p| p.len() <= 255));
        assert_eq!(split(&unicode).concat(), unicode);
    }

    #[test]
    fn typed_text() {
        assert_eq!(parse_input(" v=spf1 mx ~all ").unwrap(), "v=spf1 mx ~all");
        assert_eq!(parse_input(r#""a \"b\"" "c""#).unwrap(), "a \"b\"c");
        assert_eq!(parse_input("").unwrap_err(), "Enter the text.");
        assert!(parse_input("\"open").unwrap_err().contains("not closed"));
        assert!(parse_input("\"a\" b").unwrap_err().contains("without quotes"));
        assert!(parse_input("a\u{7}b").unwrap_err().contains("control"));
        assert!(parse_input(&"x".repeat(4001)).unwrap_err().contains("4000"));
    }
}
