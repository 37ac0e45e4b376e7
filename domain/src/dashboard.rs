//! What the dashboard shows, as data the server computes and the browser
//! draws: KPI tiles, chart series, and the date range they cover.

use serde::{Deserialize, Serialize};

use super::live::EventKind;

/// One figure: "Storage — 48.2 GB of 60.0 GB", with how it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    /// Stable id for tests and live updates ("storage").
    pub id: String,
    pub label: String,
    pub value: String,
    pub detail: Option<String>,
    pub change: Option<Change>,
    /// Where the figure comes from, to look closer.
    pub href: Option<String>,
    /// 0–100 when the figure is a share of a quota (drawn as a bar).
    pub percent: Option<u8>,
    /// The figure in base units (bytes, a count), as computed.
    pub raw: i64,
    /// Needs the viewer's action (tickets awaiting their reply): highlighted.
    pub attention: bool,
}

/// A change against the previous period, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub text: String,
    pub trend: Trend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trend {
    Up,
    Down,
    Flat,
}

impl Trend {
    pub fn of(delta: f64) -> Self {
        if delta > 0.0 {
            Trend::Up
        } else if delta < 0.0 {
            Trend::Down
        } else {
            Trend::Flat
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Trend::Up => "▲",
            Trend::Down => "▼",
            Trend::Flat => "■",
        }
    }
}

/// A group of tiles an area contributes, or why it could not be shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub tiles: Result<Vec<Tile>, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartKind {
    Line,
    Bar,
    Pie,
}

/// What the numbers of a chart count, and the scale they are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Bytes, shown in this power of 1000 (3: GB, 4: TB).
    Bytes(u8),
    Count,
    /// Amounts in major units; each series is one currency (its name).
    Money,
}

impl Unit {
    /// The scale that shows `max` bytes as a readable number.
    pub fn bytes_for(max: f64) -> Self {
        let mut power = 0u8;
        let mut value = max;
        while value >= 1000.0 && power < 5 {
            value /= 1000.0;
            power += 1;
        }
        Unit::Bytes(power.max(2))
    }

    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Bytes(0) => "B",
            Unit::Bytes(1) => "KB",
            Unit::Bytes(2) => "MB",
            Unit::Bytes(3) => "GB",
            Unit::Bytes(4) => "TB",
            Unit::Bytes(_) => "PB",
            Unit::Count | Unit::Money => "",
        }
    }

    /// A raw figure in this unit, rounded for display.
    pub fn scale(self, raw: f64) -> f64 {
        match self {
            Unit::Bytes(power) => {
                let value = raw / 1000f64.powi(power as i32);
                (value * 100.0).round() / 100.0
            }
            Unit::Count => raw,
            Unit::Money => (raw * 100.0).round() / 100.0,
        }
    }

    /// "12.5 GB", "3".
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Count => format!("{value:.0}"),
            // Whole amounts (yen, or round prices) without decimals.
            Unit::Money if value.fract() == 0.0 => format!("{value:.0}"),
            Unit::Money => format!("{value:.2}"),
            _ => format!("{value:.2} {}", self.suffix()),
        }
    }
}

/// One line, bar set or pie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// One value per label, already in the chart's unit.
    pub values: Vec<f64>,
}

/// Every chart the dashboard can show. The id names the chart in URLs,
/// element ids and the live refresh, and says which live events change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartId {
    Storage,
    Bandwidth,
    BandwidthPerAccount,
    SignUps,
    AccountsByPlan,
    TicketStatus,
    TicketsPerDay,
    SpendPerMonth,
    RevenuePerDay,
    DnsChangesPerDay,
    RegistrationsPerDay,
}

impl ChartId {
    pub const ALL: &'static [ChartId] = &[
        ChartId::Storage,
        ChartId::Bandwidth,
        ChartId::BandwidthPerAccount,
        ChartId::SignUps,
        ChartId::AccountsByPlan,
        ChartId::TicketStatus,
        ChartId::TicketsPerDay,
        ChartId::SpendPerMonth,
        ChartId::RevenuePerDay,
        ChartId::DnsChangesPerDay,
        ChartId::RegistrationsPerDay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChartId::Storage => "storage",
            ChartId::Bandwidth => "bandwidth",
            ChartId::BandwidthPerAccount => "bandwidth-per-account",
            ChartId::SignUps => "sign-ups",
            ChartId::AccountsByPlan => "accounts-by-plan",
            ChartId::TicketStatus => "ticket-status",
            ChartId::TicketsPerDay => "tickets-per-day",
            ChartId::SpendPerMonth => "spend-per-month",
            ChartId::RevenuePerDay => "revenue-per-day",
            ChartId::DnsChangesPerDay => "dns-changes-per-day",
            ChartId::RegistrationsPerDay => "registrations-per-day",
        }
    }

    /// The chart named `name` (its `as_str`).
    pub fn from_name(name: &str) -> Option<ChartId> {
        Self::ALL.iter().copied().find(|id| id.as_str() == name)
    }

    /// The live events after which the chart is fetched again.
    pub fn changed_by(self) -> &'static [EventKind] {
        match self {
            ChartId::Storage | ChartId::Bandwidth | ChartId::BandwidthPerAccount => &[EventKind::Usage],
            ChartId::SignUps => &[EventKind::SignUp],
            // Accounts made, cancelled or moved to another plan are activity.
            ChartId::AccountsByPlan => &[EventKind::Activity],
            ChartId::TicketStatus | ChartId::TicketsPerDay => &[EventKind::Ticket],
            // Domain orders announce their payment and registration as billing.
            ChartId::SpendPerMonth | ChartId::RevenuePerDay | ChartId::RegistrationsPerDay => {
                &[EventKind::Billing]
            }
            // Every DNS change (editor, template, import, revert, a domain
            // added or removed, its delegation) logs account activity.
            ChartId::DnsChangesPerDay => &[EventKind::Activity],
        }
    }
}

impl std::fmt::Display for ChartId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A chart's data: labels along the x axis (or the pie's slices), and
/// the series over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub id: ChartId,
    pub title: String,
    pub kind: ChartKind,
    pub unit: Unit,
    /// Unix milliseconds per point for a time axis (the browser shows them
    /// in its own time zone); empty for categories.
    pub times: Vec<i64>,
    /// What the data table shows per point ("2026-11-20", "Demo Shop").
    pub labels: Vec<String>,
    pub series: Vec<Series>,
}

impl ChartData {
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.values.iter().all(|v| *v == 0.0)) || self.labels.is_empty()
    }
}

/// A chart, or why it could not be drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub id: ChartId,
    pub title: String,
    pub data: Result<ChartData, String>,
}

/// The period the charts cover: the last 7, 30 or 90 days, or from–to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    Last(u16),
    /// Inclusive days, as "YYYY-MM-DD" ordinals (days since 1970-01-01).
    Between {
        from: i32,
        to: i32,
    },
}

/// The longest from–to range (the raw-sample retention is longer).
pub const MAX_RANGE_DAYS: i32 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("Enter dates as YYYY-MM-DD.")]
    BadDate,
    #[error("The start must not be after the end.")]
    Backwards,
    #[error("Choose at most {MAX_RANGE_DAYS} days.")]
    TooLong,
}

impl Default for Range {
    fn default() -> Self {
        Range::Last(30)
    }
}

impl Range {
    pub const PRESETS: [u16; 3] = [7, 30, 90];

    /// From the URL: `range=7d|30d|90d`, or `from`/`to` dates. A range
    /// that is not one of ours falls back to 30 days; bad dates are errors.
    pub fn from_query(range: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<Self, RangeError> {
        match (from.filter(|s| !s.is_empty()), to.filter(|s| !s.is_empty())) {
            (Some(from), Some(to)) => {
                let from = day_number(from).ok_or(RangeError::BadDate)?;
                let to = day_number(to).ok_or(RangeError::BadDate)?;
                if from > to {
                    Err(RangeError::Backwards)
                } else if to - from + 1 > MAX_RANGE_DAYS {
                    Err(RangeError::TooLong)
                } else {
                    Ok(Range::Between { from, to })
                }
            }
            (Some(_), None) | (None, Some(_)) => Err(RangeError::BadDate),
            (None, None) => Ok(range
                .and_then(|r| r.strip_suffix('d'))
                .and_then(|n| n.parse::<u16>().ok())
                .filter(|n| Self::PRESETS.contains(n))
                .map(Range::Last)
                .unwrap_or_default()),
        }
    }

    /// The query string that shows this range.
    pub fn to_query(self) -> String {
        match self {
            Range::Last(days) => format!("range={days}d"),
            Range::Between { from, to } => format!("from={}&to={}", day_string(from), day_string(to)),
        }
    }

    /// The first and last day (inclusive) as day numbers, given today's.
    pub fn days(self, today: i32) -> (i32, i32) {
        match self {
            Range::Last(n) => (today - i32::from(n) + 1, today),
            Range::Between { from, to } => (from, to),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Range::Last(n) => format!("Last {n} days"),
            Range::Between { from, to } => format!("{} to {}", day_string(from), day_string(to)),
        }
    }
}

/// "2026-11-20" → days since 1970-01-01 (proleptic Gregorian, UTC).
pub fn day_number(date: &str) -> Option<i32> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    Some(era * 146_097 + doe - 719_468)
}

/// Days since 1970-01-01 → "2026-11-20".
pub fn day_string(days: i32) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_names_round_trip() {
        for id in ChartId::ALL {
            assert_eq!(ChartId::from_name(id.as_str()), Some(*id));
        }
        assert_eq!(ChartId::from_name("Storage"), None);
    }

    #[test]
    fn days_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2026-11-27"), Some(20_784));
        for d in [0, 59, 60, 365, 11_016, 20_784, 30_000] {
            assert_eq!(day_number(&day_string(d)), Some(d), "{d}");
        }
        assert_eq!(day_number("2026-02-29"), None);
        assert_eq!(day_number("2024-02-29"), Some(19_782));
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("nonsense"), None);
    }

    #[test]
    fn ranges_come_from_the_url_with_bounds() {
        assert_eq!(Range::from_query(Some("7d"), None, None), Ok(Range::Last(7)));
        assert_eq!(Range::from_query(Some("12d"), None, None), Ok(Range::Last(30)));
        assert_eq!(Range::from_query(None, None, None), Ok(Range::Last(30)));
        let between = Range::from_query(None, Some("2026-10-01"), Some("2026-10-31")).unwrap();
        assert_eq!(between.to_query(), "from=2026-10-01&to=2026-10-31");
        assert_eq!(between.days(0), (20_727, 20_757));
        assert_eq!(
            Range::from_query(None, Some("2026-10-31"), Some("2026-10-01")),
            Err(RangeError::Backwards)
        );
        assert_eq!(
            Range::from_query(None, Some("2020-01-01"), Some("2026-01-01")),
            Err(RangeError::TooLong)
        );
        assert_eq!(
            Range::from_query(None, Some("2026-10-01"), None),
            Err(RangeError::BadDate)
        );
        assert_eq!(Range::Last(7).days(100), (94, 100));
    }

    #[test]
    fn byte_units_fit_the_largest_value() {
        assert_eq!(Unit::bytes_for(5e9), Unit::Bytes(3));
        assert_eq!(Unit::bytes_for(2.5e12), Unit::Bytes(4));
        assert_eq!(Unit::bytes_for(10.0), Unit::Bytes(2), "never below MB");
        assert_eq!(Unit::Bytes(3).scale(12_345_678_901.0), 12.35);
        assert_eq!(Unit::Bytes(3).format(12.35), "12.35 GB");
        assert_eq!(Unit::Count.format(3.0), "3");
    }
}
