//! The domain registrar stand-in (the `ksf-registrar-standin` binary, and
//! the tests' registrar): it speaks the part of Namecheap's XML API the
//! portal uses, at `/xml.response`, so the portal's real Namecheap client
//! talks to it through `NAMECHEAP_API_BASE` exactly as to Namecheap.
//!
//! Its world: some names are taken (`google.com`, anything starting with
//! `taken`), short names and names starting with `premium` are premium, a
//! fixed price list, a reseller balance, and the domains registered here,
//! kept in a state file between restarts. A registration takes a moment
//! (`delay`). Test switches (`POST /_standin/fail`) make the next calls
//! fail as a registrar can: insufficient funds, a registry that does not
//! answer, a name taken between search and payment. Transfers in: see
//! `transfers`.

mod transfers;

pub use transfers::{auth_code_of, Transfer};

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The API key the scripts give both sides in development.
pub const DEV_API_KEY: &str = "ksf_registrar_standin";

/// What the stand-in sells, per year: (tld, register, renew, transfer), USD.
const PRICES: &[(&str, &str, &str, &str)] = &[
    ("com", "8.88", "13.98", "9.58"),
    ("net", "10.98", "14.98", "11.98"),
    ("org", "7.48", "12.98", "9.98"),
    ("io", "32.98", "49.98", "44.98"),
    ("dev", "11.98", "15.98", "12.98"),
    ("de", "6.98", "6.98", "6.98"),
    ("app", "12.98", "16.98", "14.98"),
    ("xyz", "1.98", "12.98", "10.98"),
    ("co.uk", "5.98", "8.98", "5.98"),
];
const PREMIUM_PRICE: &str = "1200.00";
const TAKEN: &[&str] = &[
    "google",
    "example",
    "amazon",
    "facebook",
    "github",
    "wikipedia",
    "microsoft",
];

/// A failure to give on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The reseller account cannot pay for the registration.
    InsufficientFunds,
    /// The registry does not answer in time (a temporary failure).
    RegistryTimeout,
    /// Someone else registered the name between search and payment.
    Taken,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Held {
    pub id: u64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub years: i32,
    pub nameservers: Vec<String>,
    pub whois_privacy: bool,
    pub registrant_email: String,
    /// The registrant as received: (first name, organisation, address).
    #[serde(default)]
    pub registrant: (String, String, String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct World {
    domains: BTreeMap<String, Held>,
    balance_cents: i64,
    next_id: u64,
    /// Calls of `domains.create` made, failed ones included.
    creates: u64,
    #[serde(default)]
    transfers: BTreeMap<u64, transfers::Transfer>,
    #[serde(skip)]
    failures: VecDeque<Failure>,
}

#[derive(Clone)]
pub struct RegistrarStandin {
    inner: Arc<Mutex<World>>,
    api_key: Arc<String>,
    delay: Duration,
    state_file: Option<Arc<PathBuf>>,
}

impl RegistrarStandin {
    /// A stand-in with a reseller balance of $1,000 (or the saved state).
    pub fn new(api_key: &str, delay: Duration, state_file: Option<PathBuf>) -> Self {
        let world = state_file
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<World>(&b).ok())
            .unwrap_or(World {
                balance_cents: 100_000,
                ..World::default()
            });
        Self {
            inner: Arc::new(Mutex::new(world)),
            api_key: Arc::new(api_key.to_string()),
            delay,
            state_file: state_file.map(Arc::new),
        }
    }

    fn world(&self) -> MutexGuard<'_, World> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn save(&self, world: &World) {
        if let Some(path) = &self.state_file {
            if let Ok(json) = serde_json::to_vec_pretty(world) {
                let _ = std::fs::write(path.as_path(), json);
            }
        }
    }

    /// The next `count` registrations fail with `failure`.
    pub fn fail_next(&self, failure: Failure, count: usize) {
        self.world().failures.extend(std::iter::repeat_n(failure, count));
    }

    /// The domains registered here.
    pub fn domains(&self) -> Vec<Held> {
        self.world().domains.values().cloned().collect()
    }

    /// How many registrations were asked for (failed ones included).
    pub fn creates(&self) -> u64 {
        self.world().creates
    }

    pub fn set_balance_cents(&self, cents: i64) {
        self.world().balance_cents = cents;
    }
}

pub fn router(standin: RegistrarStandin) -> Router {
    Router::new()
        .route("/xml.response", get(api).post(api))
        .route("/_standin/health", get(|| async { "ok" }))
        .route("/_standin/domains", get(list_held))
        .route("/_standin/fail", post(fail))
        .with_state(standin)
}

#[derive(Deserialize)]
struct FailRequest {
    failure: Failure,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

async fn fail(State(s): State<RegistrarStandin>, Json(r): Json<FailRequest>) -> StatusCode {
    s.fail_next(r.failure, r.count.min(100));
    StatusCode::NO_CONTENT
}

async fn list_held(State(s): State<RegistrarStandin>) -> Json<Vec<Held>> {
    Json(s.domains())
}

type Params = BTreeMap<String, String>;

async fn api(State(s): State<RegistrarStandin>, Query(query): Query<Params>, body: Bytes) -> Response {
    let mut p: Params = query
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    for (k, v) in form_urlencoded::parse(&body) {
        p.insert(k.to_ascii_lowercase(), v.into_owned());
    }
    let command = p.get("command").cloned().unwrap_or_default().to_ascii_lowercase();
    // Transfers complete on their own time, whatever is asked.
    transfers::settle_all(&s);
    let answer = match authenticate(&s, &p) {
        Err(e) => Err(e),
        Ok(()) => match command.as_str() {
            "namecheap.domains.check" => Ok(check(&s, &p)),
            "namecheap.users.getpricing" => Ok(pricing()),
            "namecheap.domains.create" => create(&s, &p).await,
            "namecheap.domains.renew" => renew(&s, &p).await,
            "namecheap.domains.transfer.create" => {
                // Submitting takes a moment, as at a real registry.
                tokio::time::sleep(s.delay / 4).await;
                transfers::create(&s, &p)
            }
            "namecheap.domains.transfer.getstatus" => transfers::status(&s, &p),
            "namecheap.domains.transfer.getlist" => transfers::list(&s, &p),
            "namecheap.domains.dns.setcustom" => set_custom(&s, &p),
            "namecheap.domains.getinfo" => info(&s, &p),
            "namecheap.whoisguard.enable" => privacy(&s, &p, true),
            "namecheap.whoisguard.disable" => privacy(&s, &p, false),
            "namecheap.domains.getlist" => Ok(list(&s, &p)),
            "namecheap.users.getbalances" => Ok(format!(
                r#"<UserGetBalancesResult Currency="USD" AvailableBalance="{}" AccountBalance="{0}" EarnedAmount="0.00" WithdrawableAmount="0.00" FundsRequiredForAutoRenew="0.00" />"#,
                dollars(s.world().balance_cents)
            )),
            _ => Err((
                "1010104",
                "Parameter Command is missing or not supported".to_string(),
            )),
        },
    };
    let xml = match answer {
        Ok(inner) => format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<ApiResponse Status="OK" xmlns="http://api.namecheap.com/xml.response"><Errors /><Warnings /><RequestedCommand>{command}</RequestedCommand><CommandResponse Type="{command}">{inner}</CommandResponse><Server>ksf-standin</Server><GMTTimeDifference>--0:00</GMTTimeDifference><ExecutionTime>0.01</ExecutionTime></ApiResponse>"#
        ),
        Err((number, text)) => format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<ApiResponse Status="ERROR" xmlns="http://api.namecheap.com/xml.response"><Errors><Error Number="{number}">{}</Error></Errors><Warnings /><RequestedCommand>{command}</RequestedCommand><Server>ksf-standin</Server><GMTTimeDifference>--0:00</GMTTimeDifference><ExecutionTime>0.01</ExecutionTime></ApiResponse>"#,
            escape(&text)
        ),
    };
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response()
}

type Answer = Result<String, (&'static str, String)>;

fn authenticate(s: &RegistrarStandin, p: &Params) -> Result<(), (&'static str, String)> {
    if p.get("apiuser").is_none_or(String::is_empty) {
        return Err(("1010101", "Parameter APIUser is missing".into()));
    }
    if p.get("apikey").map(String::as_str) != Some(s.api_key.as_str()) {
        return Err((
            "1011102",
            "API Key is invalid or API access has not been enabled".into(),
        ));
    }
    if p.get("clientip").is_none_or(String::is_empty) {
        return Err(("1010105", "Parameter ClientIp is missing".into()));
    }
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn cents(price: &str) -> i64 {
    let (d, c) = price.split_once('.').unwrap_or((price, "0"));
    d.parse::<i64>().unwrap_or(0) * 100 + format!("{c:0<2}")[..2].parse::<i64>().unwrap_or(0)
}

/// (sld, tld) when the stand-in sells the name's TLD.
fn split(name: &str) -> Option<(&str, &'static str)> {
    PRICES
        .iter()
        .filter(|(t, ..)| name.ends_with(&format!(".{t}")))
        .max_by_key(|(t, ..)| t.len())
        .map(|(t, ..)| (&name[..name.len() - t.len() - 1], *t))
        .filter(|(sld, _)| !sld.is_empty() && !sld.contains('.'))
}

fn premium(sld: &str) -> bool {
    sld.len() <= 3 || sld.starts_with("premium")
}

fn taken_by_others(sld: &str) -> bool {
    TAKEN.contains(&sld) || sld.starts_with("taken")
}

fn check(s: &RegistrarStandin, p: &Params) -> String {
    let world = s.world();
    let names = p.get("domainlist").cloned().unwrap_or_default();
    names
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .take(50)
        .map(|name| match split(&name) {
            None => format!(
                r#"<DomainCheckResult Domain="{}" Available="false" ErrorNo="2030280" Description="TLD is not supported" IsPremiumName="false" PremiumRegistrationPrice="0" />"#,
                escape(&name)
            ),
            Some((sld, _)) => {
                let free = !taken_by_others(sld) && !world.domains.contains_key(&name);
                let prem = free && premium(sld);
                format!(
                    r#"<DomainCheckResult Domain="{}" Available="{free}" ErrorNo="0" Description="" IsPremiumName="{prem}" PremiumRegistrationPrice="{}" PremiumRenewalPrice="0" PremiumRestorePrice="0" PremiumTransferPrice="0" IcannFee="0" EapFee="0" />"#,
                    escape(&name),
                    if prem { PREMIUM_PRICE } else { "0" }
                )
            }
        })
        .collect()
}

fn pricing() -> String {
    type Row = (&'static str, &'static str, &'static str, &'static str);
    let category = |action: &str, pick: fn(&Row) -> &'static str| -> String {
        let products: String = PRICES
            .iter()
            .map(|row| {
                format!(
                    r#"<Product Name="{}"><Price Duration="1" DurationType="YEAR" Price="{}" PricingType="MULTIPLE" RegularPrice="{1}" YourPrice="{1}" Currency="USD" /></Product>"#,
                    row.0,
                    pick(row)
                )
            })
            .collect();
        format!(r#"<ProductCategory Name="{action}">{products}</ProductCategory>"#)
    };
    format!(
        r#"<UserGetPricingResult><ProductType Name="domains">{}{}{}</ProductType></UserGetPricingResult>"#,
        category("register", |r| r.1),
        category("renew", |r| r.2),
        category("transfer", |r| r.3)
    )
}

fn today_plus(years: i32) -> String {
    let now = time::OffsetDateTime::now_utc().date();
    let later = now.replace_year(now.year() + years).unwrap_or(now);
    format!(
        "{:02}/{:02}/{}",
        u8::from(later.month()),
        later.day(),
        later.year()
    )
}

/// The name and years of a create or renew call.
fn name_and_years(p: &Params) -> Result<(String, i32), (&'static str, String)> {
    let name = p
        .get("domainname")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let years = p
        .get("years")
        .and_then(|y| y.parse().ok())
        .filter(|y| (1..=10).contains(y))
        .ok_or(("2015167", "Years is invalid".to_string()))?;
    Ok((name, years))
}

impl Failure {
    /// The error Namecheap answers for it; `taken` is how the command at
    /// hand says the name is not there to have.
    fn answer(self, taken: (&'static str, &str)) -> (&'static str, String) {
        match self {
            Failure::InsufficientFunds => ("2528166", "Order creation failed: insufficient funds".into()),
            Failure::RegistryTimeout => (
                "5050900",
                "Unknown error: the registry did not answer in time".into(),
            ),
            Failure::Taken => (taken.0, taken.1.into()),
        }
    }
}

async fn create(s: &RegistrarStandin, p: &Params) -> Answer {
    let (name, years) = name_and_years(p)?;
    let Some((sld, tld)) = split(&name) else {
        return Err(("2030280", "TLD is not supported in API".into()));
    };
    for field in [
        "FirstName",
        "LastName",
        "Address1",
        "City",
        "StateProvince",
        "PostalCode",
        "Country",
        "Phone",
        "EmailAddress",
    ] {
        if p.get(&format!("registrant{}", field.to_ascii_lowercase()))
            .is_none_or(|v| v.trim().is_empty())
        {
            return Err(("2010323", format!("Registrant{field} is missing")));
        }
    }
    // As at Namecheap: punycode only, and with the name's language.
    if sld.starts_with("xn--") && p.get("idncode").is_none_or(|c| c.len() != 3) {
        return Err(("2015280", "IdnCode is required to register an IDN domain".into()));
    }
    let phone = p.get("registrantphone").cloned().unwrap_or_default();
    let valid_phone = phone
        .strip_prefix('+')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(cc, n)| {
            !cc.is_empty()
                && cc.len() <= 3
                && n.len() >= 4
                && (cc.to_string() + n).chars().all(|c| c.is_ascii_digit())
        });
    if !valid_phone {
        return Err((
            "2015182",
            "Phone is invalid. The format must be +NNN.NNNNNNNNNN".into(),
        ));
    }
    // A registration takes a moment, as at a real registry.
    tokio::time::sleep(s.delay).await;
    let mut world = s.world();
    world.creates += 1;
    if let Some(failure) = world.failures.pop_front() {
        return Err(failure.answer(("3019166", "Domain not available")));
    }
    if taken_by_others(sld) || world.domains.contains_key(&name) {
        return Err(("3019166", "Domain not available".into()));
    }
    let yearly = if premium(sld) {
        PREMIUM_PRICE
    } else {
        PRICES.iter().find(|r| r.0 == tld).map_or("0", |r| r.1)
    };
    let charged = cents(yearly) * i64::from(years);
    if world.balance_cents < charged {
        return Err(Failure::InsufficientFunds.answer(("", "")));
    }
    world.balance_cents -= charged;
    world.next_id += 1;
    let held = Held {
        id: world.next_id,
        name: name.clone(),
        created: today_plus(0),
        expires: today_plus(years),
        years,
        nameservers: p
            .get("nameservers")
            .map(|n| {
                n.split(',')
                    .map(|x| x.trim().to_ascii_lowercase())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        whois_privacy: p.get("wgenabled").is_some_and(|v| v.eq_ignore_ascii_case("yes")),
        registrant_email: p.get("registrantemailaddress").cloned().unwrap_or_default(),
        registrant: (
            p.get("registrantfirstname").cloned().unwrap_or_default(),
            p.get("registrantorganizationname").cloned().unwrap_or_default(),
            p.get("registrantaddress1").cloned().unwrap_or_default(),
        ),
    };
    let answer = format!(
        r#"<DomainCreateResult Domain="{}" Registered="true" ChargedAmount="{}" DomainID="{}" OrderID="{}" TransactionID="{}" WhoisguardEnable="{}" NonRealTimeDomain="false" />"#,
        escape(&name),
        dollars(charged),
        held.id,
        held.id + 1000,
        held.id + 2000,
        held.whois_privacy
    );
    world.domains.insert(name, held);
    s.save(&world);
    Ok(answer)
}

async fn renew(s: &RegistrarStandin, p: &Params) -> Answer {
    let (name, years) = name_and_years(p)?;
    tokio::time::sleep(s.delay).await;
    let mut world = s.world();
    if let Some(failure) = world.failures.pop_front() {
        return Err(failure.answer(("2016166", "Domain is not associated with your account")));
    }
    let Some((_, tld)) = split(&name) else {
        return Err(("2030280", "TLD is not supported in API".into()));
    };
    let charged = cents(PRICES.iter().find(|r| r.0 == tld).map_or("0", |r| r.2)) * i64::from(years);
    if world.balance_cents < charged {
        return Err(Failure::InsufficientFunds.answer(("", "")));
    }
    let Some(held) = world.domains.get_mut(&name) else {
        return Err(("2016166", "Domain is not associated with your account".into()));
    };
    held.expires = add_years(&held.expires, years);
    held.years += years;
    let (id, expires) = (held.id, held.expires.clone());
    world.balance_cents -= charged;
    s.save(&world);
    Ok(format!(
        r#"<DomainRenewResult DomainName="{}" DomainID="{id}" Renew="true" OrderID="{}" TransactionID="{}" ChargedAmount="{}"><DomainDetails><ExpiredDate>{expires}</ExpiredDate><NumYears>{years}</NumYears></DomainDetails></DomainRenewResult>"#,
        escape(&name),
        id + 3000,
        id + 4000,
        dollars(charged)
    ))
}

/// "MM/DD/YYYY" plus `years`.
fn add_years(date: &str, years: i32) -> String {
    let parts: Vec<i32> = date.split('/').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [m, d, y] => format!("{m:02}/{d:02}/{}", y + years),
        _ => today_plus(years),
    }
}

fn set_custom(s: &RegistrarStandin, p: &Params) -> Answer {
    let name = format!(
        "{}.{}",
        p.get("sld").cloned().unwrap_or_default().to_ascii_lowercase(),
        p.get("tld").cloned().unwrap_or_default().to_ascii_lowercase()
    );
    let nameservers: Vec<String> = p
        .get("nameservers")
        .map(|n| {
            n.split(',')
                .map(|x| x.trim().to_ascii_lowercase())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if nameservers.len() < 2 {
        return Err((
            "2011168",
            "Nameservers are not valid: at least two are needed".into(),
        ));
    }
    let mut world = s.world();
    let Some(held) = world.domains.get_mut(&name) else {
        return Err(("2019166", "Domain name not found".into()));
    };
    held.nameservers = nameservers;
    s.save(&world);
    Ok(format!(
        r#"<DomainDNSSetCustomResult Domain="{}" Updated="true" />"#,
        escape(&name)
    ))
}

fn info(s: &RegistrarStandin, p: &Params) -> Answer {
    let name = p
        .get("domainname")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let world = s.world();
    let Some(h) = world.domains.get(&name) else {
        return Err(("2019166", "Domain name not found".into()));
    };
    let ns: String = h
        .nameservers
        .iter()
        .map(|n| format!("<Nameserver>{}</Nameserver>", escape(n)))
        .collect();
    Ok(format!(
        r#"<DomainGetInfoResult Status="Ok" ID="{}" DomainName="{}" OwnerName="ksf" IsOwner="true" IsPremium="false"><DomainDetails><CreatedDate>{}</CreatedDate><ExpiredDate>{}</ExpiredDate><NumYears>0</NumYears></DomainDetails><Whoisguard Enabled="{}"><ID>{0}</ID></Whoisguard><DnsDetails ProviderType="CUSTOM" IsUsingOurDNS="false">{ns}</DnsDetails></DomainGetInfoResult>"#,
        h.id,
        escape(&h.name),
        h.created,
        h.expires,
        if h.whois_privacy { "True" } else { "False" }
    ))
}

/// WHOIS privacy on or off, by the id `getInfo` gives (the domain's id here).
fn privacy(s: &RegistrarStandin, p: &Params, on: bool) -> Answer {
    let id: u64 = p
        .get("whoisguardid")
        .and_then(|v| v.parse().ok())
        .ok_or(("2011331", "WhoisguardID is invalid".to_string()))?;
    if on && p.get("forwardedtoemail").is_none_or(|e| !e.contains('@')) {
        return Err(("2010331", "ForwardedToEmail is missing".into()));
    }
    let mut world = s.world();
    let Some(held) = world.domains.values_mut().find(|h| h.id == id) else {
        return Err(("2011331", "WhoisGuard does not exist".into()));
    };
    held.whois_privacy = on;
    let name = held.name.clone();
    s.save(&world);
    let tag = if on {
        "WhoisguardEnableResult"
    } else {
        "WhoisguardDisableResult"
    };
    Ok(format!(
        r#"<{tag} DomainName="{}" IsSuccess="true" />"#,
        escape(&name)
    ))
}

fn list(s: &RegistrarStandin, p: &Params) -> String {
    let page: usize = p
        .get("page")
        .and_then(|v| v.parse().ok())
        .filter(|v| *v >= 1)
        .unwrap_or(1);
    let size: usize = p
        .get("pagesize")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
        .clamp(10, 100);
    let world = s.world();
    let total = world.domains.len();
    let rows: String = world
        .domains
        .values()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|h| {
            format!(
                r#"<Domain ID="{}" Name="{}" User="ksf" Created="{}" Expires="{}" IsExpired="false" IsLocked="false" AutoRenew="false" WhoisGuard="{}" IsPremium="false" IsOurDNS="false" />"#,
                h.id,
                escape(&h.name),
                h.created,
                h.expires,
                if h.whois_privacy { "ENABLED" } else { "NOTPRESENT" }
            )
        })
        .collect();
    format!(
        "<DomainGetListResult>{rows}</DomainGetListResult><Paging><TotalItems>{total}</TotalItems><CurrentPage>{page}</CurrentPage><PageSize>{size}</PageSize></Paging>"
    )
}

impl RegistrarStandin {
    /// Moves the expiry of a name held here to `days` from today (a test
    /// of what happens near expiry). Answers the new expiry.
    pub fn expire_in_days(&self, name: &str, days: i64) -> Option<time::Date> {
        let mut world = self.world();
        let held = world.domains.get_mut(name)?;
        let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(days);
        held.expires = format!("{:02}/{:02}/{}", u8::from(day.month()), day.day(), day.year());
        self.save(&world);
        Some(day)
    }

    /// Holds `name` for `years` as if registered elsewhere in our reseller
    /// account: the portal does not know of it (a reconciliation test).
    pub fn hold(&self, name: &str, years: i32) {
        let mut world = self.world();
        world.next_id += 1;
        let held = Held {
            id: world.next_id,
            name: name.to_string(),
            created: today_plus(0),
            expires: today_plus(years),
            years,
            nameservers: Vec::new(),
            whois_privacy: false,
            registrant_email: String::new(),
            registrant: Default::default(),
        };
        world.domains.insert(name.to_string(), held);
    }
}
