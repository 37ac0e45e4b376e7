//! Domain registration's form endpoints: buying a name (the order, then
//! Stripe's payment page) and reopening an order's payment page.

use axum::{
    extract::{Path, State},
    routing::post,
    Form, Router,
};
use serde::{Deserialize, Serialize};

use crate::api::edge::auth::{Actor, Staff};
use crate::api::edge::error::{Back, FormResult, ShownOn};
use crate::api::edge::forms::see_other;
use crate::api::{AppState, Notice};
use domain::registration::Contact;
use domain::{AccountId, DomainOrderId};
use services::hosting::access;
use services::registrations::orders::{self, NewOrder};
use services::registrations::transfers::{self, NewTransferOrder};
use services::registrations::{not_found, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/domains/buy", post(buy))
        .route("/domains/transfer", post(transfer))
        .route("/domains/orders/{id}/checkout", post(checkout))
        .route("/domains/{name}/renew", post(renew))
        .route("/domains/{name}/auto-renew", post(auto_renew))
        .route("/domains/{name}/privacy", post(privacy))
        .route("/staff/domains/tlds", post(save_tld))
        .route("/staff/domains/orders/{id}/done", post(task_done))
        .route("/staff/domains/orders/{id}/refund", post(task_refund))
}

pub fn order_page(id: DomainOrderId) -> String {
    format!("/domains/orders/{id}")
}

/// The buy form: the order, and the contact registries require.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BuyForm {
    pub name: String,
    pub account: String,
    pub years: String,
    /// A checkbox: present ("on") when ticked.
    pub whois_privacy: Option<String>,
    pub auto_renew: Option<String>,
    /// The total the customer saw, in minor units.
    pub price: String,
    pub first_name: String,
    pub last_name: String,
    pub organization: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    pub country: String,
    pub phone: String,
    pub email: String,
}

impl BuyForm {
    fn order(&self) -> NewOrder {
        NewOrder {
            name: self.name.clone(),
            years: self.years.trim().parse().unwrap_or(0),
            whois_privacy: self.whois_privacy.is_some(),
            auto_renew: self.auto_renew.is_some(),
            expected_price_minor: self.price.trim().parse().ok(),
            contact: Contact {
                first_name: self.first_name.clone(),
                last_name: self.last_name.clone(),
                organization: self.organization.clone(),
                address1: self.address1.clone(),
                address2: self.address2.clone(),
                city: self.city.clone(),
                state_province: self.state_province.clone(),
                postal_code: self.postal_code.clone(),
                country: self.country.clone(),
                phone: self.phone.clone(),
                email: self.email.clone(),
            },
        }
    }
}

/// Places the order and shows it with its link to Stripe's payment page.
async fn buy(State(state): State<AppState>, actor: Actor, Form(form): Form<BuyForm>) -> FormResult {
    let back = Back::to(format!("/domains/buy?name={}", urlencode(form.name.trim()))).keeping(&form);
    let account = AccountId::parse(&form.account)
        .ok_or_else(|| ServiceError::invalid("account", "Choose a hosting account."))
        .shown_on(&back)?;
    let access = access::authorize(&state.deps.pool, &actor, account)
        .await
        .shown_on(&back)?;
    let deps = &state.deps;
    let id = orders::place(deps, &deps.registrations, &actor, &access, &form.order())
        .await
        .shown_on(&back)?;
    pay_page(deps, &actor, id).await
}

/// The transfer form: the name, its auth code and the account.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TransferForm {
    pub name: String,
    pub account: String,
    /// Never shown again: a refused form comes back without it.
    #[serde(skip_serializing)]
    pub auth_code: String,
    /// The price the customer saw, in minor units.
    pub price: String,
}

/// Places the transfer and shows it with its link to Stripe's payment page.
async fn transfer(State(state): State<AppState>, actor: Actor, Form(form): Form<TransferForm>) -> FormResult {
    let back = Back::to(format!("/domains/transfer?name={}", urlencode(form.name.trim()))).keeping(&form);
    let account = AccountId::parse(&form.account)
        .ok_or_else(|| ServiceError::invalid("account", "Choose a hosting account."))
        .shown_on(&back)?;
    let access = access::authorize(&state.deps.pool, &actor, account)
        .await
        .shown_on(&back)?;
    let deps = &state.deps;
    let order = NewTransferOrder {
        name: form.name.clone(),
        auth_code: form.auth_code.clone(),
        expected_price_minor: form.price.trim().parse().ok(),
    };
    let id = transfers::place(deps, &deps.registrations, &actor, &access, &order)
        .await
        .shown_on(&back)?;
    pay_page(deps, &actor, id).await
}

/// Opens a new payment page for the order (the last one expired, or
/// Stripe did not answer) and shows the order with its link.
async fn checkout(State(state): State<AppState>, actor: Actor, Path(raw): Path<String>) -> FormResult {
    let back = Back::to(format!("/domains/orders/{raw}"));
    let id = DomainOrderId::parse(&raw).ok_or_else(not_found).shown_on(&back)?;
    orders::open_checkout(&state.deps, &actor, id)
        .await
        .shown_on(&back)?;
    Ok(see_other(&order_page(id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RenewForm {
    years: String,
}

/// Orders a renewal of a name registered here and shows the order.
async fn renew(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<RenewForm>,
) -> FormResult {
    let back = Back::to(format!("/domains/{}", urlencode(&name)));
    let domain = services::dns::domains::authorize(&state.deps.pool, &actor, &name)
        .await
        .shown_on(&back)?;
    let years = form.years.trim().parse().unwrap_or(0);
    let deps = &state.deps;
    let id = orders::place_renewal(
        deps,
        &deps.registrations,
        &actor,
        &domain.account,
        domain.name.as_str(),
        years,
    )
    .await
    .shown_on(&back)?;
    pay_page(deps, &actor, id).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AutoRenewForm {
    /// "on" to turn it on; anything else turns it off.
    auto_renew: String,
}

/// Turns automatic renewal of a name registered here on or off.
async fn auto_renew(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<AutoRenewForm>,
) -> FormResult {
    let page = format!("/domains/{}", urlencode(&name));
    let back = Back::to(page.clone());
    let domain = services::dns::domains::authorize(&state.deps.pool, &actor, &name)
        .await
        .shown_on(&back)?;
    let on = form.auto_renew == "on";
    services::registrations::auto_renew::set(&state.deps, &actor, &domain.account, domain.name.as_str(), on)
        .await
        .shown_on(&back)?;
    Ok(if on {
        Notice::AutoRenewOn
    } else {
        Notice::AutoRenewOff
    }
    .redirect(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PrivacyForm {
    /// "on" to hide the registrant's details; anything else shows them.
    whois_privacy: String,
}

/// Turns WHOIS privacy of a name registered here on or off.
async fn privacy(
    State(state): State<AppState>,
    actor: Actor,
    Path(name): Path<String>,
    Form(form): Form<PrivacyForm>,
) -> FormResult {
    let page = format!("/domains/{}", urlencode(&name));
    let back = Back::to(page.clone());
    let domain = services::dns::domains::authorize(&state.deps.pool, &actor, &name)
        .await
        .shown_on(&back)?;
    let on = form.whois_privacy == "on";
    let deps = &state.deps;
    services::registrations::registered::set_privacy(
        deps,
        &deps.registrations,
        &actor,
        &domain.account,
        domain.name.as_str(),
        on,
    )
    .await
    .shown_on(&back)?;
    Ok(if on { Notice::PrivacyOn } else { Notice::PrivacyOff }.redirect(&page))
}

/// A TLD of the catalogue as staff set it.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct TldForm {
    tld: String,
    on_sale: Option<String>,
    margin_percent: String,
    fixed_price: String,
}

async fn save_tld(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Form(form): Form<TldForm>,
) -> FormResult {
    use services::registrations::catalogue::{self, TldChange};
    let back = Back::to("/staff/domains").keeping(&form);
    let change = TldChange {
        name: form.tld.clone(),
        on_sale: form.on_sale.is_some(),
        margin_percent: form.margin_percent.clone(),
        fixed_price: form.fixed_price.clone(),
    };
    catalogue::save(&state.deps.pool, &actor, &change)
        .await
        .shown_on(&back)?;
    Ok(Notice::TldSaved.redirect("/staff/domains"))
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct TaskForm {
    /// Which task (its errors show next to its own fields).
    order: String,
    /// The expiry at the registrar, YYYY-MM-DD.
    expires: String,
    /// Why it is refunded (the customer reads it).
    why: String,
}

/// Staff: a queued order is done at the registrar.
async fn task_done(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(mut form): Form<TaskForm>,
) -> FormResult {
    form.order = raw.clone();
    let back = Back::to("/staff/domains").keeping(&form);
    let id = DomainOrderId::parse(&raw).ok_or_else(not_found).shown_on(&back)?;
    let expires = iso_date(&form.expires)
        .ok_or_else(|| {
            ServiceError::invalid(
                "expires",
                "Enter the expiry date shown at the registrar, like 2027-12-04.",
            )
        })
        .shown_on(&back)?;
    services::registrations::manual::done(&state.deps, &actor, id.uuid(), expires)
        .await
        .shown_on(&back)?;
    Ok(Notice::TaskDone.redirect("/staff/domains"))
}

/// Staff: a queued order cannot be carried out; it is refunded.
async fn task_refund(
    State(state): State<AppState>,
    Staff(actor): Staff,
    Path(raw): Path<String>,
    Form(mut form): Form<TaskForm>,
) -> FormResult {
    form.order = raw.clone();
    let back = Back::to("/staff/domains").keeping(&form);
    let id = DomainOrderId::parse(&raw).ok_or_else(not_found).shown_on(&back)?;
    services::registrations::manual::refund(&state.deps, &actor, id.uuid(), &form.why)
        .await
        .shown_on(&back)?;
    Ok(Notice::TaskRefunded.redirect("/staff/domains"))
}

/// The order's page, with Stripe's payment page opened for it. (A form may
/// not redirect to another site under our Content-Security-Policy's
/// `form-action`, so the customer follows the page's link to Stripe; if
/// Stripe did not answer, the page offers to try again.)
async fn pay_page(deps: &services::Deps, actor: &Actor, id: DomainOrderId) -> FormResult {
    if let Err(error) = orders::open_checkout(deps, actor, id).await {
        tracing::warn!(%error, order = %id, "checkout not opened");
    }
    Ok(see_other(&order_page(id)))
}

/// "2027-12-04" (what a date input sends).
fn iso_date(s: &str) -> Option<time::Date> {
    let mut parts = s.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    if !(2000..=2200).contains(&year) {
        return None;
    }
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
