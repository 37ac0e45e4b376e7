//! What this process has seen since it started, for the staff System page:
//! when it started, each housekeeping job's last run, and its latest
//! errors with their references. Per process: with several portal
//! processes, each page view shows the one that served it (`/metrics`
//! is scraped per process too).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, OnceLock};

use time::OffsetDateTime;

/// Errors kept for the page (the newest).
pub const KEPT_ERRORS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub last_success: Option<OffsetDateTime>,
    pub last_failure: Option<(OffsetDateTime, String)>,
    pub failures: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentError {
    pub at: OffsetDateTime,
    /// The reference the user was shown, when there was one.
    pub reference: Option<String>,
    /// Where it happened (the log target) and what it said.
    pub target: String,
    pub message: String,
}

struct State {
    started: OffsetDateTime,
    jobs: BTreeMap<&'static str, JobRun>,
    errors: VecDeque<RecentError>,
}

fn state() -> &'static Mutex<State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    STATE.get_or_init(|| {
        Mutex::new(State {
            started: OffsetDateTime::now_utc(),
            jobs: BTreeMap::new(),
            errors: VecDeque::new(),
        })
    })
}

/// Marks the start of the process (call once, early).
pub fn start() {
    let _ = state();
}

pub fn started() -> OffsetDateTime {
    state().lock().map_or(OffsetDateTime::now_utc(), |s| s.started)
}

/// Records a housekeeping job's run.
pub fn job<T, E: std::fmt::Display>(name: &'static str, result: &Result<T, E>) {
    let Ok(mut s) = state().lock() else {
        return;
    };
    let run = s.jobs.entry(name).or_insert(JobRun {
        last_success: None,
        last_failure: None,
        failures: 0,
    });
    let now = OffsetDateTime::now_utc();
    match result {
        Ok(_) => run.last_success = Some(now),
        Err(e) => {
            run.failures += 1;
            run.last_failure = Some((now, e.to_string().chars().take(300).collect()));
        }
    }
}

pub fn jobs() -> Vec<(&'static str, JobRun)> {
    state()
        .lock()
        .map(|s| s.jobs.iter().map(|(k, v)| (*k, v.clone())).collect())
        .unwrap_or_default()
}

/// Keeps an error for the page (the oldest kept one goes).
pub fn error(error: RecentError) {
    if let Ok(mut s) = state().lock() {
        if s.errors.len() == KEPT_ERRORS {
            s.errors.pop_back();
        }
        s.errors.push_front(error);
    }
}

/// The newest first.
pub fn errors() -> Vec<RecentError> {
    state()
        .lock()
        .map(|s| s.errors.iter().cloned().collect())
        .unwrap_or_default()
}
