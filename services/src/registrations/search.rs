//! Searching for a name: the label under every TLD on sale, asked of the
//! registrar in one call; a few suggestions when the name is taken, in a
//! second call (the page shows the results first).

use domain::registration::search_label;

use super::catalogue::{self, Offer};
use super::{unavailable, RegistrationSettings, ServiceError};
use crate::{Actor, Deps};

/// One name and whether it can be bought here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Lower-case ASCII (punycode).
    pub name: String,
    pub tld: String,
    pub available: bool,
    /// Premium names are priced by the registry: not sold online.
    pub premium: bool,
    pub price_minor: i64,
    pub currency: String,
    /// Somebody else's zone is on our platform already.
    pub on_platform: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// The label searched for ("my-shop", or its punycode).
    pub label: String,
    pub results: Vec<Found>,
}

/// Names tried when the one asked for is taken.
fn suggestion_labels(label: &str) -> Vec<String> {
    ["get", "my"]
        .iter()
        .map(|p| format!("{p}{label}"))
        .chain(["hq", "online"].iter().map(|s| format!("{label}{s}")))
        .filter(|l| l.len() <= 63)
        .collect()
}

/// Looks `query` up under every TLD on sale, for a signed-in user (at
/// most `DOMAIN_SEARCHES` an hour): one call to the registrar.
#[tracing::instrument(skip(deps, settings, actor))]
pub async fn search(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    query: &str,
) -> Result<SearchResult, ServiceError> {
    let (label, offers) = prepare(deps, settings, actor, query, &crate::rate_limit::DOMAIN_SEARCHES).await?;
    let names: Vec<(String, &Offer)> = offers.iter().map(|o| (format!("{label}.{}", o.tld), o)).collect();
    let results = check(deps, settings, &names).await?;
    Ok(SearchResult { label, results })
}

/// Other free names under the first TLD on sale, for when `query` is taken
/// (a second call to the registrar, so the results show before these).
#[tracing::instrument(skip(deps, settings, actor))]
pub async fn suggest(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    query: &str,
) -> Result<Vec<Found>, ServiceError> {
    let (label, offers) = prepare(
        deps,
        settings,
        actor,
        query,
        &crate::rate_limit::DOMAIN_SUGGESTIONS,
    )
    .await?;
    let first = &offers[0];
    let names: Vec<(String, &Offer)> = suggestion_labels(&label)
        .into_iter()
        .map(|l| (format!("{l}.{}", first.tld), first))
        .collect();
    Ok(check(deps, settings, &names)
        .await?
        .into_iter()
        .filter(|f| f.available)
        .collect())
}

/// The label asked for and the offers, once the user is within `limit`.
async fn prepare(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    query: &str,
    limit: &crate::rate_limit::Limit,
) -> Result<(String, Vec<Offer>), ServiceError> {
    // Searches count against the customer's limit and ask the registrar.
    actor.require_writable()?;
    settings.registrar()?;
    let label = search_label(query).map_err(|e| ServiceError::invalid("q", e))?;
    let mut tx = deps.pool.begin().await?;
    crate::rate_limit::hit(&mut tx, limit, &actor.id().to_string())
        .await?
        .map_err(crate::failure::over(
            "You searched for many names in a short time.",
        ))?;
    tx.commit().await?;
    let offers = offers_fresh(deps, settings).await?;
    if offers.is_empty() {
        return Err(ServiceError::Conflict(
            "No domain extensions are on sale right now. Please try again later.".into(),
        ));
    }
    Ok((label, offers))
}

/// Asks the registrar about `names` (one call) and our platform.
async fn check(
    deps: &Deps,
    settings: &RegistrationSettings,
    names: &[(String, &Offer)],
) -> Result<Vec<Found>, ServiceError> {
    let asked: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    let answers = settings.registrar()?.check(&asked).await.map_err(unavailable)?;
    let on_platform: Vec<String> =
        sqlx::query_scalar!("SELECT name FROM domains WHERE name = ANY($1)", &asked)
            .fetch_all(&deps.pool)
            .await?;
    Ok(names
        .iter()
        .map(|(name, offer)| {
            let answer = answers.iter().find(|a| &a.name == name);
            let premium = answer.is_some_and(|a| a.premium_minor.is_some());
            let platform = on_platform.contains(name);
            Found {
                name: name.clone(),
                tld: offer.tld.clone(),
                available: answer.is_some_and(|a| a.available) && !premium && !platform,
                premium,
                price_minor: offer.price_minor,
                currency: offer.currency.clone(),
                on_platform: platform,
            }
        })
        .collect())
}

/// The offers, refreshing the registrar's costs first when they are stale
/// or missing (a failed refresh keeps the prices we have).
pub async fn offers_fresh(deps: &Deps, settings: &RegistrationSettings) -> Result<Vec<Offer>, ServiceError> {
    let now = deps.clock.now();
    if catalogue::needs_refresh(&deps.pool, now).await? {
        let registrar = settings.registrar()?;
        if let Err(error) = catalogue::refresh(&deps.pool, registrar, now).await {
            tracing::warn!(%error, "could not refresh the TLD costs");
        }
    }
    Ok(catalogue::offers(&deps.pool).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions_stay_within_a_label() {
        assert_eq!(
            super::suggestion_labels("shop"),
            ["getshop", "myshop", "shophq", "shoponline"]
        );
        assert!(super::suggestion_labels(&"a".repeat(62)).is_empty());
    }
}
