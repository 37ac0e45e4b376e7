//! What `/staff/domains` shows: every domain order with its state, the
//! TLD catalogue's prices, and the registrar balance.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOrderRow {
    pub id: String,
    pub name: String,
    pub display: String,
    pub status: String,
    pub status_label: String,
    pub badge: String,
    pub account_id: String,
    pub account_name: String,
    pub buyer: String,
    pub price: String,
    pub created: String,
    pub expires: Option<String>,
    pub failure: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TldRow {
    /// Without the dot ("co.uk").
    pub tld: String,
    pub on_sale: bool,
    /// The registrar's yearly cost, "8.88 USD" or "not known yet".
    pub cost: String,
    pub margin_percent: i32,
    /// "12.99", or empty when the margin applies.
    pub fixed_price: String,
    /// What customers pay a year, or "not on sale yet".
    pub price: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffDomainsView {
    pub orders: Vec<StaffOrderRow>,
    pub tlds: Vec<TldRow>,
    /// "1,234.56 USD", or why it could not be read.
    pub balance: Result<String, String>,
    pub balance_low: bool,
    pub enabled: bool,
    /// What the last daily reconciliation found: (name, what differs).
    pub differences: Vec<(String, String)>,
    /// Names are registered by staff (the manual registrar).
    pub manual: bool,
    /// The manual registrar's queue, oldest first.
    pub tasks: Vec<TaskRow>,
}

/// A paid order staff carry out by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: String,
    /// "Register example.com for 2 years", "Renew …", "Transfer … in".
    pub what: String,
    /// The name as the registrar takes it (punycode).
    pub ascii: String,
    pub customer: String,
    pub account: String,
    pub nameservers: Vec<String>,
    /// The registrant, a line per field ("City: Berlin").
    pub contact: Vec<String>,
    pub whois_privacy: bool,
    pub paid: String,
    /// The expiry to enter when done, as the form's default (YYYY-MM-DD).
    pub expires_guess: String,
}

#[server(endpoint = "staff/domains")]
pub async fn staff_domains(status: String, q: String) -> Result<StaffDomainsView, ApiError> {
    use crate::api::edge::error::api_error;
    use domain::money::format_minor;
    use domain::registration::DomainOrderStatus;
    use services::registrations::{catalogue, reconcile, registered};
    let (deps, actor) = crate::api::edge::auth::actor()?;
    let expiry = registered::Expiry::parse(status.trim());
    let status = DomainOrderStatus::parse(status.trim());
    let orders = registered::orders(&deps.pool, &actor, status, expiry, &q)
        .await
        .map_err(api_error)?;
    let settings = &deps.registrations;
    let (balance, balance_low) = if settings.enabled() {
        match registered::balance(settings, &actor).await {
            Ok(b) => (
                Ok(format_minor(b.available_minor, &b.currency)),
                b.available_minor < settings.balance_warning_minor,
            ),
            Err(e) => (Err(e.to_string()), false),
        }
    } else {
        (Err("No registrar is set up.".into()), false)
    };
    let day = |t: time::OffsetDateTime| format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day());
    let differences = reconcile::differences(&deps.pool, &actor)
        .await
        .map_err(api_error)?
        .into_iter()
        .map(|d| {
            let what = match d.kind.as_str() {
                "only_at_registrar" => "held at the registrar, unknown here".to_string(),
                "only_here" => "registered here, not in the registrar's list".to_string(),
                _ => format!(
                    "expiry here {}, at the registrar {}",
                    d.ours.map(day).unwrap_or_default(),
                    d.theirs.map(day).unwrap_or_default()
                ),
            };
            (domain::dns::names::unicode(&d.name), what)
        })
        .collect();
    let tasks = services::registrations::manual::tasks(&deps, &actor)
        .await
        .map_err(api_error)?
        .into_iter()
        .map(|t| {
            use domain::registration::DomainOrderKind;
            let display = domain::dns::names::unicode(&t.name);
            let years = format!("{} year{}", t.years, if t.years == 1 { "" } else { "s" });
            let from = t.expires_before.unwrap_or(actor.now);
            let guess = from.replace_year(from.year() + t.years).unwrap_or(from);
            TaskRow {
                id: t.id.to_string(),
                what: match t.kind {
                    DomainOrderKind::Register => format!("Register {display} for {years}"),
                    DomainOrderKind::Renew => format!("Renew {display} for {years}"),
                    DomainOrderKind::Transfer => format!("Transfer {display} in (one year added)"),
                },
                ascii: t.name,
                customer: t.buyer.unwrap_or_else(|| "(deleted user)".into()),
                account: t.account_name,
                nameservers: t.nameservers,
                contact: t
                    .contact
                    .as_object()
                    .map(|c| {
                        c.iter()
                            .filter_map(|(k, v)| {
                                v.as_str()
                                    .filter(|v| !v.is_empty())
                                    .map(|v| format!("{}: {v}", k.replace('_', " ")))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                whois_privacy: t.whois_privacy,
                paid: t.paid_at.map(day).unwrap_or_default(),
                expires_guess: day(guess),
            }
        })
        .collect();
    Ok(StaffDomainsView {
        manual: settings.registrar.as_ref().is_some_and(|r| r.is_manual()),
        tasks,
        orders: orders
            .into_iter()
            .map(|o| StaffOrderRow {
                id: o.id.to_string(),
                display: domain::dns::names::unicode(&o.name),
                name: o.name,
                status: o.status.as_str().into(),
                status_label: o.status.label().into(),
                badge: o.status.badge().into(),
                account_id: o.account_id.to_string(),
                account_name: o.account_name,
                buyer: o.buyer.unwrap_or_else(|| "(deleted user)".into()),
                price: format!("{} · {} yr", format_minor(o.price_minor, &o.currency), o.years),
                created: day(o.created_at),
                expires: o.expires_at.map(day),
                failure: o.failure,
            })
            .collect(),
        tlds: catalogue::entries(&deps.pool, &actor)
            .await
            .map_err(api_error)?
            .into_iter()
            .map(|t| TldRow {
                cost: t
                    .cost_register_minor
                    .map_or_else(|| "not known yet".into(), |c| format_minor(c, &t.currency)),
                fixed_price: t
                    .fixed_register_minor
                    .map(|f| format!("{}.{:02}", f / 100, f % 100))
                    .unwrap_or_default(),
                price: t.retail_minor.map_or_else(
                    || "no price yet".into(),
                    |p| format!("{} / year", format_minor(p, &t.currency)),
                ),
                tld: t.name,
                on_sale: t.on_sale,
                margin_percent: t.margin_percent,
            })
            .collect(),
        balance,
        balance_low,
        enabled: settings.enabled(),
        differences,
    })
}
