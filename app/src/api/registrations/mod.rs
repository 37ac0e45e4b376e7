//! Domain registration's server functions (what the search, buy and order
//! pages show) and, server-side, its forms (`forms`).

#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
pub mod parts;
pub mod staff;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use domain::registration::Contact;

/// One name in the search results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundRow {
    /// ASCII (punycode), as in links.
    pub name: String,
    pub display: String,
    pub available: bool,
    /// Why it cannot be bought, when it cannot.
    pub note: Option<String>,
    /// "10.66 USD / year".
    pub price: String,
    /// Registered elsewhere: its owner may transfer it here.
    pub transferable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchView {
    pub results: Vec<FoundRow>,
}

impl SearchView {
    /// Some name is taken: other free names are worth asking for.
    pub fn any_taken(&self) -> bool {
        self.results.iter().any(|r| !r.available)
    }
}

#[cfg(feature = "ssr")]
fn found_row(f: services::registrations::search::Found) -> FoundRow {
    FoundRow {
        display: domain::dns::names::unicode(&f.name),
        note: if f.on_platform {
            Some("Already on our platform".into())
        } else if f.premium {
            Some("Premium name: ask support".into())
        } else if !f.available {
            Some("Taken".into())
        } else {
            None
        },
        available: f.available,
        transferable: !f.available && !f.premium && !f.on_platform,
        price: format!(
            "{} / year",
            domain::money::format_minor(f.price_minor, &f.currency)
        ),
        name: f.name,
    }
}

/// Searches `q` under every TLD on sale. Signed-in users only (each
/// search is a call to the registrar).
#[server(endpoint = "domain_search")]
pub async fn domain_search(q: String) -> Result<SearchView, ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let found = services::registrations::search::search(&deps, &deps.registrations, &actor, &q)
        .await
        .map_err(api_error)?;
    Ok(SearchView {
        results: found.results.into_iter().map(found_row).collect(),
    })
}

/// Other free names like `q` (asked after the results, when one is taken).
#[server(endpoint = "domain_suggestions")]
pub async fn domain_suggestions(q: String) -> Result<Vec<FoundRow>, ApiError> {
    use super::edge::error::api_error;
    let (deps, actor) = super::edge::auth::actor()?;
    let found = services::registrations::search::suggest(&deps, &deps.registrations, &actor, &q)
        .await
        .map_err(api_error)?;
    Ok(found.into_iter().map(found_row).collect())
}

/// Whether domains are sold here (the search page says so when not).
#[server(endpoint = "domain_sales")]
pub async fn domain_sales() -> Result<bool, ApiError> {
    let (deps, _actor) = super::edge::auth::actor()?;
    Ok(deps.registrations.enabled() && deps.billing.enabled())
}

/// What the buy form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyView {
    pub name: String,
    pub display: String,
    pub price_per_year_minor: i64,
    pub currency: String,
    /// "10.66 USD".
    pub price_per_year: String,
    pub whois_privacy_offered: bool,
    /// Accounts where the user may pay: (id, "name — primary domain").
    pub accounts: Vec<(String, String)>,
    pub contact: Contact,
    pub test_mode: bool,
}

/// The buy form for `name`: its price now and the contact to prefill.
#[server(endpoint = "domain_buy_form")]
pub async fn domain_buy_form(name: String) -> Result<BuyView, ApiError> {
    use super::edge::error::api_error;
    use domain::registration::NameForSale;
    use services::registrations::{orders, search, ServiceError};
    let (deps, actor) = super::edge::auth::actor()?;
    let offers = search::offers_fresh(&deps, &deps.registrations)
        .await
        .map_err(api_error)?;
    let tlds: Vec<String> = offers.iter().map(|o| o.tld.clone()).collect();
    let sale = NameForSale::parse(&name, &tlds).map_err(|e| api_error(ServiceError::invalid("name", e)))?;
    let offer = offers
        .into_iter()
        .find(|o| o.tld == sale.tld)
        .ok_or_else(|| api_error(ServiceError::invalid("name", "This extension is not on sale.")))?;
    let accounts = orders::accounts_for_buying(&deps, &actor)
        .await
        .map_err(api_error)?
        .into_iter()
        .map(|(id, name, primary)| (id.to_string(), format!("{name} — {primary}")))
        .collect();
    Ok(BuyView {
        display: sale.display(),
        name: sale.name.as_str().to_string(),
        price_per_year: domain::money::format_minor(offer.price_minor, &offer.currency),
        price_per_year_minor: offer.price_minor,
        currency: offer.currency,
        whois_privacy_offered: offer.whois_privacy,
        accounts,
        contact: orders::contact_for(&deps, &actor).await.map_err(api_error)?,
        test_mode: deps.billing.stripe.as_ref().is_some_and(|g| g.test_mode()),
    })
}

/// A domain order's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainOrderView {
    pub id: String,
    pub name: String,
    pub display: String,
    pub account_id: String,
    pub account_name: String,
    pub years: i32,
    pub price: String,
    pub whois_privacy: bool,
    pub auto_renew: bool,
    /// A renewal (else a registration or a transfer).
    pub renewal: bool,
    pub transfer: bool,
    /// "Registration", "Renewal", "Transfer in".
    pub kind_label: String,
    /// A transfer's step as the registrar last told it.
    pub transfer_status: Option<String>,
    /// "awaiting_payment", "registered", … (`DomainOrderStatus`).
    pub status: String,
    pub status_label: String,
    pub in_progress: bool,
    pub failure: Option<String>,
    pub checkout_url: Option<String>,
    pub expired: bool,
    /// "4 December 2027".
    pub expires: Option<String>,
    pub nameservers: Vec<String>,
    pub test_mode: bool,
}

#[server(endpoint = "domain_order")]
pub async fn domain_order(id: String) -> Result<DomainOrderView, ApiError> {
    use super::edge::error::api_error;
    use services::registrations::{not_found, orders};
    let (deps, actor) = super::edge::auth::actor()?;
    let id = domain::DomainOrderId::parse(&id).ok_or_else(|| api_error(not_found()))?;
    let o = orders::view(&deps, &actor, id).await.map_err(api_error)?;
    Ok(DomainOrderView {
        id: o.id.to_string(),
        display: domain::dns::names::unicode(&o.name),
        name: o.name,
        account_id: o.account_id.to_string(),
        account_name: o.account_name,
        years: o.years,
        price: domain::money::format_minor(o.price_minor, &o.currency),
        whois_privacy: o.whois_privacy,
        auto_renew: o.auto_renew,
        renewal: o.kind == domain::registration::DomainOrderKind::Renew,
        transfer: o.kind == domain::registration::DomainOrderKind::Transfer,
        kind_label: o.kind.label().into(),
        transfer_status: o.transfer_status,
        status: o.status.as_str().into(),
        status_label: o.status.label().into(),
        in_progress: o.status.in_progress(),
        failure: o.failure,
        checkout_url: o.checkout_url,
        expired: o.session_expired,
        expires: o
            .expires_at
            .map(|t| format!("{} {} {}", t.day(), t.month(), t.year())),
        nameservers: o.nameservers,
        test_mode: deps.billing.stripe.as_ref().is_some_and(|g| g.test_mode()),
    })
}

/// What the transfer form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    /// The name asked for, as typed (empty: none yet).
    pub name: String,
    /// Its Unicode form and price, when it is a name whose transfer is sold.
    pub priced: Option<(String, i64, String)>,
    /// Accounts where the user may pay: (id, "name — primary domain").
    pub accounts: Vec<(String, String)>,
    pub test_mode: bool,
}

/// The transfer form for `name` (may be empty): its price, if sold here.
#[server(endpoint = "domain_transfer_form")]
pub async fn domain_transfer_form(name: String) -> Result<TransferView, ApiError> {
    use super::edge::error::api_error;
    use services::registrations::{orders, transfers};
    let (deps, actor) = super::edge::auth::actor()?;
    let priced = if name.trim().is_empty() {
        None
    } else {
        transfers::price_of(&deps, &deps.registrations, &name)
            .await
            .map_err(api_error)?
            .map(|(display, minor, currency)| (display, minor, domain::money::format_minor(minor, &currency)))
    };
    let accounts = orders::accounts_for_buying(&deps, &actor)
        .await
        .map_err(api_error)?
        .into_iter()
        .map(|(id, name, primary)| (id.to_string(), format!("{name} — {primary}")))
        .collect();
    Ok(TransferView {
        name,
        priced,
        accounts,
        test_mode: deps.billing.stripe.as_ref().is_some_and(|g| g.test_mode()),
    })
}
