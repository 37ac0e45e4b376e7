//! Search boxes: what was typed, as compared, and a "contains" pattern for
//! LIKE in which `\`, `%` and `_` match only themselves.

/// The typed text as searches compare it: trimmed, at most `max`
/// characters, lower case.
pub fn typed(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect::<String>().to_lowercase()
}

/// `%text%` for LIKE (Postgres' default escape character, `\`).
pub fn contains(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_characters_are_taken_literally() {
        assert_eq!(contains(r"50%_off\"), r"%50\%\_off\\%");
        assert_eq!(typed("  Ana LIMA  ", 3), "ana");
    }
}
