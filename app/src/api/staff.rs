//! Staff tools of the hosting area: the plan catalogue. Anyone but staff
//! gets "not found".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanRow {
    pub code: String,
    pub name: String,
    pub storage_gb: i64,
    pub bandwidth_gb: i64,
    pub max_sites: i32,
    pub price: String,
    pub currency: String,
    pub available: bool,
    pub pauses_over_bandwidth: bool,
}

#[server(endpoint = "staff/plans")]
pub async fn staff_plans() -> Result<Vec<PlanRow>, ApiError> {
    use super::edge::error::api_error;
    use services::hosting::plans::{self, GB};
    let (deps, actor) = super::edge::auth::actor()?;
    let list = plans::all(&deps.pool, &actor).await.map_err(api_error)?;
    Ok(list
        .into_iter()
        .map(|p| PlanRow {
            code: p.code,
            name: p.name,
            storage_gb: p.storage_quota_bytes / GB,
            bandwidth_gb: p.bandwidth_quota_bytes / GB,
            max_sites: p.max_sites,
            price: format!("{}.{:02}", p.price_minor / 100, p.price_minor % 100),
            currency: p.currency,
            available: p.available,
            pauses_over_bandwidth: p.pauses_over_bandwidth,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub use routes::routes;

#[cfg(feature = "ssr")]
mod routes {
    use axum::{extract::State, routing::post, Form, Router};
    use serde::{Deserialize, Serialize};

    use crate::api::edge::auth::Staff;
    use crate::api::edge::error::{Back, FormResult, ShownOn};
    use crate::api::{AppState, Notice};
    use domain::money::{Currency, Money};
    use services::failure::Invalid;
    use services::hosting::plans::{self, PlanSpec, GB};

    pub fn routes() -> Router<AppState> {
        Router::new().route("/staff/plans", post(save_plan))
    }

    /// The plan form, as typed.
    #[derive(Debug, Default, Serialize, Deserialize)]
    #[serde(default)]
    struct PlanForm {
        code: String,
        name: String,
        /// Gigabytes, as staff think of quotas.
        storage_gb: String,
        bandwidth_gb: String,
        max_sites: String,
        /// A decimal price ("9.99").
        price: String,
        currency: String,
        available: String,
        /// "yes": sites over the month's bandwidth are paused.
        pause_over_bandwidth: String,
    }

    fn gigabytes(input: &str) -> Result<i64, &'static str> {
        match input.trim().parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n * GB),
            _ => Err("Enter a whole number of GB from 1 to 1000000."),
        }
    }

    impl TryFrom<&PlanForm> for PlanSpec {
        type Error = Invalid;

        fn try_from(form: &PlanForm) -> Result<Self, Invalid> {
            let mut invalid = Invalid::default();
            let code = form.code.trim().to_lowercase();
            if code.len() < 2
                || code.len() > 32
                || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                invalid.push("code", "Use 2–32 lower-case letters, digits or hyphens.");
            }
            let name = form.name.trim().to_string();
            if name.is_empty() || name.chars().count() > 60 {
                invalid.push("name", "Enter a name of at most 60 characters.");
            }
            let storage = invalid.check("storage_gb", gigabytes(&form.storage_gb));
            let bandwidth = invalid.check("bandwidth_gb", gigabytes(&form.bandwidth_gb));
            let max_sites = invalid.check(
                "max_sites",
                form.max_sites
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or("Enter a whole number from 1 to 10000."),
            );
            let decimals = domain::money::decimals(form.currency.trim());
            let price = invalid.check(
                "price",
                domain::money::parse_minor_in(&form.price, form.currency.trim()).ok_or(match decimals {
                    0 => "Enter a whole amount: this currency has no decimals.",
                    3 => "Enter a price such as 9.999 (at most three decimals).",
                    _ => "Enter a price such as 9.99 (at most two decimals).",
                }),
            );
            let currency = invalid.check(
                "currency",
                Currency::parse(&form.currency).ok_or("Enter a three-letter currency code such as EUR."),
            );
            match (storage, bandwidth, max_sites, price, currency) {
                (
                    Some(storage_bytes),
                    Some(bandwidth_bytes),
                    Some(max_sites),
                    Some(price),
                    Some(currency),
                ) if invalid.is_empty() => Ok(PlanSpec {
                    code,
                    name,
                    storage_bytes,
                    bandwidth_bytes,
                    max_sites,
                    price: Money::new(price, currency),
                    available: form.available == "yes",
                    pauses_over_bandwidth: form.pause_over_bandwidth == "yes",
                }),
                _ => Err(invalid),
            }
        }
    }

    async fn save_plan(
        State(state): State<AppState>,
        Staff(actor): Staff,
        Form(form): Form<PlanForm>,
    ) -> FormResult {
        let back = Back::to("/staff/plans").keeping(&form);
        let spec = PlanSpec::try_from(&form).shown_on(&back)?;
        plans::save(&state.deps.pool, &actor, &spec)
            .await
            .shown_on(&back)?;
        Ok(Notice::PlanSaved.redirect("/staff/plans"))
    }
}
