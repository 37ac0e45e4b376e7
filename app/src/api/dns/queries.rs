//! Server functions of the domain pages (the editor's island asks
//! `parts`). Each
//! authorises once (`domains::authorize`); the services check the role.

use leptos::prelude::*;

use super::{DomainsView, ZoneView};
use crate::api::ApiError;
#[cfg(feature = "ssr")]
use {
    super::{convert, DomainRow, RecordRow},
    crate::api::edge::{auth::actor, error::api_error},
    domain::dns::zonefile::Managed,
    domain::Permission,
    services::dns::{domains, history, zone},
};

/// The user's domains and where they may add one.
#[server(endpoint = "dns/domains")]
pub async fn list_domains() -> Result<DomainsView, ApiError> {
    let (deps, actor) = actor()?;
    let items = domains::mine(&deps.pool, &actor).await.map_err(api_error)?;
    let accounts = domains::accounts_for_adding(&deps.pool, &actor)
        .await
        .map_err(api_error)?;
    Ok(DomainsView {
        items: items
            .into_iter()
            .map(|d| DomainRow {
                display: convert::display(d.name.as_str()),
                name: d.name.as_str().to_string(),
                account_id: d.account_id.to_string(),
                account_name: d.account_name,
                status: d.status,
                records: d.records,
                last_change: crate::api::when(d.last_change),
                delegation_lost: d.delegation_lost,
            })
            .collect(),
        accounts: accounts
            .into_iter()
            .map(|(id, name, primary)| (id.to_string(), format!("{name} — {}", convert::display(&primary))))
            .collect(),
    })
}

/// A domain's zone, history included.
#[server(endpoint = "dns/zone")]
pub async fn load_zone(name: String) -> Result<ZoneView, ApiError> {
    let (deps, actor) = actor()?;
    let domain = domains::authorize(&deps.pool, &actor, &name)
        .await
        .map_err(api_error)?;
    let records = zone::list(&deps, &domain).await.map_err(api_error)?;
    let changes = history::recent(&deps, &domain).await.map_err(api_error)?;
    let nameservers = domain.nameservers(&deps.dns);
    let registration = registration_box(&deps, &domain).await?;
    let managed = Managed {
        nameservers: &nameservers,
        serial: domain.serial,
    };
    Ok(ZoneView {
        name: domain.name.as_str().to_string(),
        display: convert::display(domain.name.as_str()),
        account_id: domain.account.account_id().to_string(),
        account_name: domain.account_name.clone(),
        status: domain.status(),
        serial: domain.serial,
        nameservers: nameservers.clone(),
        delegation_problem: domain.delegation_problem.clone(),
        delegation_checked: domain.delegation_checked_at.map(crate::api::when),
        serving_problem: domain.serving_problem,
        probes: services::dns::propagation::targets(&deps.dns)
            .into_iter()
            .map(|t| t.label)
            .collect(),
        can_edit: domain.account.can(Permission::Dns),
        soa: managed.soa_data(&domain.name),
        records: records
            .into_iter()
            .map(|(id, record)| RecordRow {
                id: id.to_string(),
                record,
            })
            .collect(),
        history: changes.into_iter().map(convert::change).collect(),
        registration,
    })
}

/// The registration box of a name we registered: its expiry, and the
/// renewal price per year when the user may pay for the account.
#[cfg(feature = "ssr")]
async fn registration_box(
    deps: &services::Deps,
    domain: &domains::DomainAccess,
) -> Result<Option<super::RegistrationBox>, ApiError> {
    use services::failure::ServiceError;
    use services::registrations::{catalogue, registered};
    let internal = |e: sqlx::Error| api_error(ServiceError::internal(e));
    let Some(r) = registered::of(&deps.pool, domain.account.account_id(), domain.name.as_str())
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let name = domain.name.as_str();
    let renew_price = if domain.account.can(Permission::Pay) && deps.registrations.enabled() {
        catalogue::offers(&deps.pool)
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|o| name.ends_with(&format!(".{}", o.tld)))
            .max_by_key(|o| o.tld.len())
            .and_then(|o| o.renew_minor.map(|m| domain::money::format_minor(m, &o.currency)))
    } else {
        None
    };
    Ok(Some(super::RegistrationBox {
        expires: format!(
            "{} {} {}",
            r.expires_at.day(),
            r.expires_at.month(),
            r.expires_at.year()
        ),
        registrar: match r.registrar.as_str() {
            "namecheap" => "Namecheap".into(),
            other => other.to_string(),
        },
        auto_renew: r.auto_renew,
        whois_privacy: r.whois_privacy,
        expired: r.expires_at <= deps.clock.now(),
        state: registration_state(r.expires_at, deps.clock.now()),
        renew_price,
        may_pay: domain.account.can(Permission::Pay),
        unpaid_renewal: services::registrations::auto_renew::unpaid(deps, domain.account.account_id(), name)
            .await
            .map_err(api_error)?
            .map(|(id, why)| (id.to_string(), why)),
    }))
}

/// Where a registration stands, as registries count it: renewable as usual
/// for about 30 days after expiry (grace), then restorable for a fee for
/// about 30 more (redemption), then released.
#[cfg(feature = "ssr")]
fn registration_state(expires: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    let day = |t: time::OffsetDateTime| format!("{} {} {}", t.day(), t.month(), t.year());
    let grace = expires + time::Duration::days(30);
    let redemption = grace + time::Duration::days(30);
    let left = (expires - now).whole_days();
    if now < expires {
        if left <= 30 {
            format!(
                "Active, expires in {} day{}",
                left.max(1),
                if left == 1 { "" } else { "s" }
            )
        } else {
            "Active".into()
        }
    } else if now < grace {
        format!(
            "Expired: in its grace period until {} (renew it as usual)",
            day(grace)
        )
    } else if now < redemption {
        format!(
            "Expired: in redemption until {} (the registry restores it for a fee: contact support)",
            day(redemption)
        )
    } else {
        "Expired and released by the registry".into()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn registrations_pass_from_active_to_grace_to_redemption() {
        let expires = time::Date::from_calendar_date(2027, time::Month::January, 31)
            .unwrap()
            .midnight()
            .assume_utc();
        let at = |days: i64| super::registration_state(expires, expires + time::Duration::days(days));
        assert_eq!(at(-60), "Active");
        assert_eq!(at(-10), "Active, expires in 10 days");
        assert!(
            at(1).starts_with("Expired: in its grace period until 2 March 2027"),
            "{}",
            at(1)
        );
        assert!(
            at(31).starts_with("Expired: in redemption until 1 April 2027"),
            "{}",
            at(31)
        );
        assert_eq!(at(61), "Expired and released by the registry");
    }
}
