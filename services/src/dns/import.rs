//! Importing a BIND zone file. The file is cut into its entries (a record
//! may span lines in parentheses), each entry is parsed by hickory-proto's
//! zone parser and then checked by the same rules as the editor, so every
//! refused line is listed with its number. Only a file without problems
//! is applied, as one change replacing the zone's records.

use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;

use super::domains::DomainAccess;
use super::zone::{self, Applied, Edit};
use super::ServiceError;
use crate::{Actor, Deps};
use domain::dns::zone::{self as rules, ZoneDiff};
use domain::dns::{txt, ChangeSource, Record, RecordInput, RecordName, Ttl};
use domain::{DomainName, Permission};

/// The largest zone file taken (a full zone of 5,000 records is ~400 KB).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// A zone file read against a zone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    /// Lines that stop the import: (line number, why).
    pub problems: Vec<(usize, String)>,
    /// Lines left out on purpose (the SOA, the zone's own NS records).
    pub ignored: Vec<(usize, String)>,
}

/// The longest token (a word, or a quoted string with its quotes) a line
/// may have: a TXT record's 4,000 bytes fit; longer ones are refused
/// before the zone-file parser sees them.
pub const MAX_TOKEN: usize = 4096;

/// One entry of the file: the line it starts on, its text, and the bytes
/// of its longest token.
struct Entry {
    line: usize,
    text: String,
    longest: usize,
}

/// Cuts the file into entries: comments dropped, parentheses joined.
fn entries(input: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    let mut line = 1;
    let (mut quoted, mut escaped, mut depth, mut comment) = (false, false, 0usize, false);
    let (mut token, mut longest) = (0usize, 0usize);
    for c in input.chars() {
        if c == '\n' {
            comment = false;
            line += 1;
            if !quoted {
                token = 0;
            }
            if depth == 0 && !quoted {
                if !current.trim().is_empty() {
                    out.push(Entry {
                        line: start,
                        text: std::mem::take(&mut current),
                        longest,
                    });
                }
                current.clear();
                longest = 0;
                start = line;
                continue;
            }
            current.push(' ');
            continue;
        }
        if comment || c == '\r' {
            continue;
        }
        if c.is_whitespace() && !quoted {
            token = 0;
        } else {
            token += c.len_utf8();
            longest = longest.max(token);
        }
        if escaped {
            escaped = false;
        } else if quoted {
            match c {
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else {
            match c {
                ';' => {
                    comment = true;
                    continue;
                }
                '"' => quoted = true,
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(Entry {
            line: start,
            text: current,
            longest,
        });
    }
    out
}

fn relative(name: &Name, zone: &DomainName) -> Result<RecordName, String> {
    let ascii = name.to_ascii().to_ascii_lowercase();
    RecordName::parse(&format!("{}.", ascii.trim_end_matches('.')), zone)
}

fn host(name: &Name) -> String {
    name.to_ascii().to_ascii_lowercase()
}

/// One parsed record as ours, by the editor's rules.
fn convert(zone: &DomainName, owner: RecordName, ttl: u32, data: &RData) -> Result<Option<Record>, String> {
    let ttl = Ttl::new(ttl).map_err(|_| format!("TTL {ttl} is outside 60 seconds to 1 week."))?;
    let mut input = RecordInput {
        name: owner.as_str().to_string(),
        ttl: ttl.seconds().to_string(),
        ..Default::default()
    };
    match data {
        RData::SOA(_) => return Ok(None),
        RData::NS(_) if owner.is_apex() => return Ok(None),
        RData::A(a) => (input.kind, input.content) = ("A".into(), a.0.to_string()),
        RData::AAAA(a) => (input.kind, input.content) = ("AAAA".into(), a.0.to_string()),
        RData::CNAME(c) => (input.kind, input.content) = ("CNAME".into(), host(&c.0)),
        RData::NS(n) => (input.kind, input.content) = ("NS".into(), host(&n.0)),
        RData::MX(mx) => {
            input.kind = "MX".into();
            input.priority = mx.preference.to_string();
            input.content = host(&mx.exchange);
        }
        RData::SRV(srv) => {
            input.kind = "SRV".into();
            input.priority = srv.priority.to_string();
            input.weight = srv.weight.to_string();
            input.port = srv.port.to_string();
            input.content = host(&srv.target);
        }
        RData::TXT(t) => {
            let mut text = String::new();
            for part in t.txt_data.iter() {
                text.push_str(
                    std::str::from_utf8(part).map_err(|_| "The text is not valid UTF-8.".to_string())?,
                );
            }
            input.kind = "TXT".into();
            input.content = txt::quoted(&text);
        }
        RData::CAA(caa) => {
            input.kind = "CAA".into();
            input.critical = caa.issuer_critical;
            input.tag = caa.tag.clone();
            input.content = String::from_utf8(caa.value.clone())
                .map_err(|_| "The CAA value is not valid UTF-8.".to_string())?;
        }
        other => {
            return Err(format!(
                "{} records are not supported here (A, AAAA, CNAME, MX, TXT, NS, SRV and CAA are).",
                other.record_type()
            ))
        }
    }
    input
        .parse(zone)
        .map(Some)
        .map_err(|errors| errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" "))
}

/// Reads `text` as the zone file of `zone`.
pub fn parse(zone: &DomainName, text: &str) -> Parsed {
    let mut reader = Reader {
        zone,
        origin: format!("{}.", zone.as_str()),
        default_ttl: Ttl::DEFAULT.seconds(),
        last_owner: None,
        parsed: Parsed::default(),
    };
    if text.len() > MAX_BYTES {
        reader.parsed.problems.push((
            0,
            format!("The file is larger than {} MB.", MAX_BYTES / 1024 / 1024),
        ));
        return reader.parsed;
    }
    for entry in entries(text) {
        if entry.longest > MAX_TOKEN {
            reader.parsed.problems.push((
                entry.line,
                format!(
                    "A value on this line is longer than {MAX_TOKEN} characters: split long text into quoted parts (\"part one\" \"part two\")."
                ),
            ));
            continue;
        }
        if !reader.directive(&entry) {
            reader.records(&entry);
        }
    }
    let mut parsed = reader.parsed;
    if parsed.problems.is_empty() {
        if let Err(e) = rules::check(&parsed.records) {
            parsed.problems.push((0, e));
        }
    }
    parsed
}

/// A zone file read entry by entry: the directives so far, and what was
/// found.
struct Reader<'a> {
    zone: &'a DomainName,
    origin: String,
    default_ttl: u32,
    last_owner: Option<String>,
    parsed: Parsed,
}

impl Reader<'_> {
    /// Applies the entry when it is a directive (`$ORIGIN`, `$TTL`; others
    /// are refused); false when it is a record.
    fn directive(&mut self, entry: &Entry) -> bool {
        let zone = self.zone;
        let trimmed = entry.text.trim();
        let directive = trimmed
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match directive.as_str() {
            "$ORIGIN" => {
                let value = trimmed.split_whitespace().nth(1).unwrap_or_default();
                let absolute = if value.ends_with('.') {
                    value.to_string()
                } else {
                    format!("{value}.{}", self.origin)
                };
                let inside = absolute.trim_end_matches('.').to_ascii_lowercase();
                if inside == zone.as_str() || inside.ends_with(&format!(".{}", zone.as_str())) {
                    self.origin = absolute;
                } else {
                    self.parsed.problems.push((
                        entry.line,
                        format!("$ORIGIN {value} is outside {}.", zone.as_str()),
                    ));
                }
                true
            }
            "$TTL" => {
                match trimmed
                    .split_whitespace()
                    .nth(1)
                    .map(hickory_proto::serialize::txt::parse_ttl)
                {
                    Some(Ok(ttl)) => self.default_ttl = ttl,
                    _ => self
                        .parsed
                        .problems
                        .push((entry.line, "$TTL needs a number of seconds.".into())),
                }
                true
            }
            d if d.starts_with('$') => {
                self.parsed.problems.push((
                    entry.line,
                    format!("{d} is not supported: paste the records themselves."),
                ));
                true
            }
            _ => false,
        }
    }

    /// The records of one entry, each converted or refused with its line.
    fn records(&mut self, entry: &Entry) {
        let zone = self.zone;
        // An entry starting with a blank belongs to the previous owner.
        let starts_blank = entry.text.starts_with([' ', '\t']);
        let line = match (&self.last_owner, starts_blank) {
            (Some(owner), true) => format!("{owner} {}", entry.text.trim_start()),
            _ => entry.text.clone(),
        };
        let file = format!("$ORIGIN {}\n$TTL {}\n{line}\n", self.origin, self.default_ttl);
        let sets = match Parser::new(file, None, Some(Name::root())).parse() {
            Ok((_, sets)) => sets,
            Err(e) => {
                self.parsed
                    .problems
                    .push((entry.line, format!("This line cannot be read: {e}.")));
                return;
            }
        };
        for set in sets.values() {
            for record in set.records_without_rrsigs() {
                self.last_owner = Some(record.name.to_ascii());
                let owner = match relative(&record.name, zone) {
                    Ok(o) => o,
                    Err(e) => {
                        self.parsed.problems.push((entry.line, e));
                        continue;
                    }
                };
                match convert(zone, owner, record.ttl, &record.data) {
                    Ok(Some(r)) => self.parsed.records.push(r),
                    Ok(None) => self.parsed.ignored.push((
                        entry.line,
                        "The SOA and the domain's own NS records are kept by the platform.".into(),
                    )),
                    Err(e) => self.parsed.problems.push((entry.line, e)),
                }
            }
        }
    }
}

/// The import checked against the zone: its problems, or the difference.
pub struct Preview {
    pub parsed: Parsed,
    pub diff: ZoneDiff<uuid::Uuid>,
}

pub async fn preview(deps: &Deps, domain: &DomainAccess, text: &str) -> Result<Preview, ServiceError> {
    domain.account.require(Permission::View)?;
    let parsed = parse(&domain.name, text);
    let current = zone::list(deps, domain).await?;
    let diff = if parsed.problems.is_empty() {
        rules::diff(&current, &parsed.records)
    } else {
        rules::diff::<uuid::Uuid>(&[], &[])
    };
    Ok(Preview { parsed, diff })
}

/// Replaces the zone's records with the file's, in one change; nothing is
/// applied when any line has a problem.
pub async fn apply(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    text: &str,
) -> Result<Applied, ServiceError> {
    domain.account.require(Permission::Dns)?;
    let Preview { parsed, diff } = preview(deps, domain, text).await?;
    if let Some((line, problem)) = parsed.problems.first() {
        return Err(super::invalid(
            "zone",
            format!("Nothing was imported. Line {line}: {problem}"),
        ));
    }
    if diff.is_empty() {
        return Err(ServiceError::Conflict(
            "The zone already has exactly these records.".into(),
        ));
    }
    let summary = format!(
        "Imported a zone file: {} added, {} changed, {} removed",
        diff.added.len(),
        diff.changed.len(),
        diff.removed.len()
    );
    let mut edits: Vec<Edit> = diff.removed.into_iter().map(|(id, _)| Edit::Delete(id)).collect();
    edits.extend(
        diff.changed
            .into_iter()
            .map(|(id, _, after)| Edit::Update(id, after)),
    );
    edits.extend(
        diff.added
            .into_iter()
            .map(|record| Edit::Add { id: None, record }),
    );
    zone::apply(deps, actor, domain, ChangeSource::Import, &summary, edits, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> DomainName {
        DomainName::parse("example.com").unwrap()
    }

    #[test]
    fn a_zone_file_is_read_with_its_line_numbers() {
        let text = "$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1.example.net. hostmaster.example.com. (\n 1 7200 3600 1209600 300 )\n@ IN NS ns1.example.net.\n@ 300 IN A 203.0.113.10\n    IN MX 10 mail.example.com.\nwww IN CNAME example.com.\n; a comment\n_dmarc IN TXT \"v=DMARC1; p=none\"\nhost IN PTR example.com.\nbad IN A 999.1.1.1\n";
        let parsed = parse(&zone(), text);
        assert_eq!(parsed.records.len(), 4, "{parsed:?}");
        assert_eq!(parsed.records[1].data.display(), "10 mail.example.com");
        assert_eq!(parsed.ignored.len(), 2);
        let lines: Vec<usize> = parsed.problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![11, 12], "{:?}", parsed.problems);
        assert!(parsed.problems[0].1.contains("PTR records are not supported"));
    }

    #[test]
    fn includes_and_foreign_names_are_refused() {
        let parsed = parse(
            &zone(),
            "$INCLUDE /etc/passwd\nwww.example.org. IN A 203.0.113.1\n",
        );
        assert_eq!(parsed.problems.len(), 2, "{:?}", parsed.problems);
        assert!(parsed.problems[0].1.contains("$INCLUDE is not supported"));
        assert_eq!(parsed.problems[1].0, 2);
        assert!(parsed.records.is_empty());
    }

    #[test]
    fn ttl_rules_apply_to_imports() {
        let parsed = parse(&zone(), "www 30 IN A 203.0.113.1\n");
        assert!(parsed.problems[0].1.contains("TTL 30"), "{:?}", parsed.problems);
    }

    #[test]
    fn a_token_too_long_for_the_parser_is_refused_with_its_line() {
        let long = "k".repeat(MAX_TOKEN + 1);
        let text =
            format!("www IN A 203.0.113.1\n@ IN TXT \"{long}\"\nmail IN A 203.0.113.2\n@ IN TXT {long}\n");
        let parsed = parse(&zone(), &text);
        let lines: Vec<usize> = parsed.problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 4], "{:?}", parsed.problems);
        assert!(parsed.problems[0].1.contains("longer than 4096"));
        // A TXT record of the largest size, split as the export writes it, is read.
        let key = "A".repeat(domain::dns::txt::MAX_BYTES);
        let parsed = parse(&zone(), &format!("@ IN TXT {}\n", domain::dns::txt::quoted(&key)));
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    }
}
