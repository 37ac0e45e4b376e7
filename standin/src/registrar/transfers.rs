//! Transfers in, as the stand-in makes them: a name registered elsewhere
//! (one "taken by others") moves to the reseller account with its auth
//! code. The code of `taken-shop.com` is `taken-shop#EPP`; any other is
//! wrong. A transfer is under way for a while (ten times `delay`), then completes
//! (the name is held here for one more year) or is cancelled for the wrong
//! code, as a registry would.

use serde::{Deserialize, Serialize};

use super::{
    cents, dollars, escape, split, taken_by_others, today_plus, Answer, Failure, Held, Params,
    RegistrarStandin, World, PRICES,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transfer {
    pub id: u64,
    pub name: String,
    pub code_ok: bool,
    /// Unix milliseconds.
    pub submitted_ms: u64,
    pub whois_privacy: bool,
    /// Settled: completed (true) or cancelled (false).
    pub done: Option<bool>,
}

/// The auth code the owner of `name` (under its TLD) got from the
/// registrar it is at now.
pub fn auth_code_of(sld: &str) -> String {
    format!("{sld}#EPP")
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// "base64:…" as Namecheap takes codes with symbols.
fn decoded(code: &str) -> String {
    use base64::Engine as _;
    match code.strip_prefix("base64:") {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default(),
        None => code.to_string(),
    }
}

pub(super) fn create(s: &RegistrarStandin, p: &Params) -> Answer {
    let name = p
        .get("domainname")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if p.get("years").map(String::as_str) != Some("1") {
        return Err(("2015167", "Years is invalid: transfers add one year".into()));
    }
    let Some((sld, tld)) = split(&name) else {
        return Err(("2030280", "TLD is not supported in API".into()));
    };
    let code = decoded(p.get("eppcode").map(String::as_str).unwrap_or_default());
    if code.is_empty() {
        return Err(("2011170", "EPPCode is required for this TLD".into()));
    }
    let mut world = s.world();
    if let Some(failure) = world.failures.pop_front() {
        return Err(failure.answer(("2011170", "Domain is not registered")));
    }
    if world.domains.contains_key(&name) {
        return Err(("2011170", "Domain is already in your account".into()));
    }
    if !taken_by_others(sld) {
        return Err((
            "2011170",
            "Domain is not registered, so it cannot be transferred".into(),
        ));
    }
    if pending(&world, &name).is_some() {
        return Err(("2011170", "A transfer of this domain is already under way".into()));
    }
    let charged = cents(PRICES.iter().find(|r| r.0 == tld).map_or("0", |r| r.3));
    if world.balance_cents < charged {
        return Err(Failure::InsufficientFunds.answer(("", "")));
    }
    world.balance_cents -= charged;
    world.next_id += 1;
    let id = world.next_id;
    world.transfers.insert(
        id,
        Transfer {
            id,
            name: name.clone(),
            code_ok: code == auth_code_of(sld),
            submitted_ms: now_ms(),
            whois_privacy: p.get("wgenable").is_some_and(|v| v.eq_ignore_ascii_case("yes")),
            done: None,
        },
    );
    s.save(&world);
    Ok(format!(
        r#"<DomainTransferCreateResult DomainName="{}" Transfer="true" TransferID="{id}" StatusID="-1" OrderID="{}" TransactionID="{}" ChargedAmount="{}" StatusCode="" />"#,
        escape(&name),
        id + 5000,
        id + 6000,
        dollars(charged)
    ))
}

fn pending<'a>(world: &'a World, name: &str) -> Option<&'a Transfer> {
    world
        .transfers
        .values()
        .find(|t| t.name == name && t.done.is_none())
}

/// Settles the transfers whose time has come (before any call is answered).
pub(super) fn settle_all(s: &RegistrarStandin) {
    let mut world = s.world();
    if world.transfers.values().any(|t| t.done.is_none()) {
        settle(s, &mut world);
        s.save(&world);
    }
}

/// Settles the transfers whose time has come.
fn settle(s: &RegistrarStandin, world: &mut World) {
    let due = u64::try_from(s.delay.as_millis().saturating_mul(10)).unwrap_or(u64::MAX);
    let now = now_ms();
    let mut completed = Vec::new();
    for t in world.transfers.values_mut() {
        if t.done.is_none() && now.saturating_sub(t.submitted_ms) >= due {
            t.done = Some(t.code_ok);
            if t.code_ok {
                completed.push((t.name.clone(), t.whois_privacy));
            }
        }
    }
    for (name, whois_privacy) in completed {
        world.next_id += 1;
        let held = Held {
            id: world.next_id,
            name: name.clone(),
            created: today_plus(-2),
            expires: today_plus(1),
            years: 1,
            // Still the losing registrar's until the new owner sets them.
            nameservers: vec!["ns1.elsewhere.example".into(), "ns2.elsewhere.example".into()],
            whois_privacy,
            registrant_email: String::new(),
            registrant: Default::default(),
        };
        world.domains.insert(name, held);
    }
}

pub(super) fn status(s: &RegistrarStandin, p: &Params) -> Answer {
    let id: u64 = p
        .get("transferid")
        .and_then(|v| v.parse().ok())
        .ok_or(("4019329", "TransferStatus not available".to_string()))?;
    let mut world = s.world();
    settle(s, &mut world);
    s.save(&world);
    let t = world
        .transfers
        .get(&id)
        .ok_or(("4019329", "TransferStatus not available".to_string()))?;
    let (status_id, status) = match t.done {
        None => ("14", "Domain transfer initiated and awaiting approval"),
        Some(true) => ("5", "Transferred and paid successfully"),
        Some(false) => ("18", "Canceled - domain validation string is invalid"),
    };
    Ok(format!(
        r#"<DomainTransferGetStatusResult TransferID="{id}" Status="{status}" StatusID="{status_id}" />"#
    ))
}

pub(super) fn list(s: &RegistrarStandin, p: &Params) -> Answer {
    let term = p
        .get("searchterm")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut world = s.world();
    settle(s, &mut world);
    let rows: String = world
        .transfers
        .values()
        .filter(|t| t.done.is_none() && t.name.contains(&term))
        .take(100)
        .map(|t| {
            format!(
                r#"<Transfer ID="{}" DomainName="{}" User="ksf" TransferDate="" OrderID="{}" StatusID="14" Status="Domain transfer initiated and awaiting approval" />"#,
                t.id,
                escape(&t.name),
                t.id + 5000
            )
        })
        .collect();
    Ok(format!("<TransferGetListResult>{rows}</TransferGetListResult>"))
}

impl RegistrarStandin {
    /// The transfers asked for.
    pub fn transfers(&self) -> Vec<Transfer> {
        self.world().transfers.values().cloned().collect()
    }
}
