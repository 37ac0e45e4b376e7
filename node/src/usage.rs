//! Usage, measured on the node: the size of the files each site serves
//! and the bytes Caddy sent for it (from Caddy's JSON access log), posted
//! through the portal's usage API every minute.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use domain::sites::{DesiredState, SiteMode};

/// How often usage is measured and posted.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
/// The most of the log one round reads (the rest waits for the next).
const MAX_READ: u64 = 256 * 1024 * 1024;

/// What the agent remembers between rounds: how far it read the log, and
/// figures the portal did not take yet.
#[derive(Debug, Default)]
pub struct Meter {
    offset: u64,
    unsent: Vec<Sample>,
}

/// Figures kept for a portal that does not answer (a day of a node's
/// sites at most; older ones go first).
const MAX_UNSENT: usize = 100_000;

/// One account's figures, as the usage API takes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    pub account_id: String,
    pub time: String,
    pub storage_bytes: i64,
    pub bandwidth_bytes: i64,
}

#[derive(Deserialize)]
struct AccessLine {
    #[serde(default)]
    size: u64,
    request: Request,
}

#[derive(Deserialize)]
struct Request {
    host: String,
}

impl Meter {
    /// The bytes served per host since the last call, read from Caddy's
    /// access log at `log` (a log rolled over since is read from its start;
    /// a line not yet finished waits for the next call).
    pub fn served(&mut self, log: &Path) -> HashMap<String, u64> {
        let mut served = HashMap::new();
        let Ok(mut file) = std::fs::File::open(log) else {
            return served;
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len < self.offset {
            self.offset = 0;
        }
        let mut text = Vec::new();
        if file.seek(SeekFrom::Start(self.offset)).is_err()
            || file.take(MAX_READ).read_to_end(&mut text).is_err()
        {
            return served;
        }
        let complete = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        self.offset += complete as u64;
        for line in text[..complete].split(|b| *b == b'\n') {
            let Ok(line) = serde_json::from_slice::<AccessLine>(line) else {
                continue;
            };
            // `Host` may carry a port, and any case.
            let host = line
                .request
                .host
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            *served.entry(host).or_default() += line.size;
        }
        served
    }

    /// Samples the portal did not take, sent again next round.
    pub fn keep(&mut self, unsent: Vec<Sample>) {
        self.unsent = unsent;
        let over = self.unsent.len().saturating_sub(MAX_UNSENT);
        self.unsent.drain(..over);
    }

    /// Samples not sent before, then this round's for every site of `state`.
    pub fn samples(&mut self, state: &DesiredState, sites: &Path, log: &Path, time: String) -> Vec<Sample> {
        let served = self.served(log);
        let mut samples = std::mem::take(&mut self.unsent);
        samples.extend(
            state
                .sites
                .iter()
                .filter(|s| matches!(s.mode, SiteMode::Serve | SiteMode::Suspended | SiteMode::Paused))
                .map(|site| Sample {
                    account_id: site.id.to_string(),
                    time: time.clone(),
                    storage_bytes: size_of(&crate::files::current(sites, site)).min(i64::MAX as u64) as i64,
                    bandwidth_bytes: site
                        .hosts
                        .iter()
                        .map(|h| served.get(h).copied().unwrap_or(0))
                        .sum::<u64>()
                        .min(i64::MAX as u64) as i64,
                }),
        );
        samples
    }
}

/// The bytes of the files under `dir` (following `dir` itself when it is
/// the `current` link, never links inside it). The default page is ours,
/// not the customer's: it counts as nothing.
pub fn size_of(dir: &Path) -> u64 {
    let Ok(target) = std::fs::canonicalize(dir) else {
        return 0;
    };
    if target.file_name().is_some_and(|n| n == "default") {
        return 0;
    }
    let mut total = 0;
    let mut stack: Vec<PathBuf> = vec![target];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(entry.path()),
                Ok(m) if m.is_file() => total += m.len(),
                _ => {}
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn bytes_served_are_summed_per_host_across_rounds_and_rollovers() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("access.log");
        let line = |host: &str, size: u64| {
            format!("{{\"request\":{{\"host\":\"{host}\",\"uri\":\"/\"}},\"size\":{size},\"status\":200}}\n")
        };
        let mut f = std::fs::File::create(&log).unwrap();
        let start = format!(
            "{}{}{{\"request\":",
            line("A.example:8080", 100),
            line("b.example", 7)
        );
        f.write_all(start.as_bytes()).unwrap();
        let mut meter = Meter::default();
        let first = meter.served(&log);
        assert_eq!(first.get("a.example"), Some(&100));
        assert_eq!(first.get("b.example"), Some(&7));
        // The unfinished line is read once it is.
        f.write_all(b"{\"host\":\"a.example\"},\"size\":5}\n").unwrap();
        assert_eq!(meter.served(&log).get("a.example"), Some(&5));
        assert!(meter.served(&log).is_empty(), "nothing new");
        // Rolled over: a new, shorter file is read from its start.
        std::fs::write(&log, line("a.example", 1)).unwrap();
        assert_eq!(meter.served(&log).get("a.example"), Some(&1));
    }
}
