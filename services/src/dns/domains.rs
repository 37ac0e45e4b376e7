//! Domains of hosting accounts: adding one (its zone starts with the
//! platform's SOA and NS, and for the account's primary domain the web
//! records), finding one the user may see, listing, removing.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::zone;
use super::{serial_day, DnsSettings, ServiceError};
use crate::activity::{self, Action, NewEntry};
use crate::hosting::access::{self, Access};
use crate::{Actor, Deps};
use domain::dns::zone::next_serial;
use domain::dns::{ChangeSource, DomainStatus};
use domain::{AccountId, AccountStatus, DomainId, DomainName, Permission};

/// At most this many domains in one hosting account.
pub const MAX_PER_ACCOUNT: i64 = 100;

/// The acting user's hold on one domain. Only `authorize` makes one.
#[derive(Debug, Clone)]
pub struct DomainAccess {
    pub id: DomainId,
    pub name: DomainName,
    pub account: Access,
    pub account_name: String,
    pub region: String,
    pub primary: bool,
    stored_status: DomainStatus,
    pub serial: u32,
    /// What the last delegation check found wrong, and when it ran.
    pub delegation_problem: Option<String>,
    pub delegation_checked_at: Option<OffsetDateTime>,
    /// `ksf dns` could not build the zone's latest version (see `serving`).
    pub serving_problem: bool,
    /// The zone's own name server names (none for a zone from before).
    assigned: Vec<String>,
}

impl DomainAccess {
    /// The names the registry must point at: the zone's own, or the
    /// platform's shared ones for a zone added before names were assigned.
    pub fn nameservers(&self, settings: &super::DnsSettings) -> Vec<String> {
        super::nameservers::or_shared(self.assigned.clone(), settings)
    }

    /// Pending or active as stored; suspended while its account is.
    pub fn status(&self) -> DomainStatus {
        displayed_status(self.stored_status, self.account.status())
    }
}

fn displayed_status(stored: DomainStatus, account: AccountStatus) -> DomainStatus {
    match account {
        AccountStatus::Suspended | AccountStatus::Cancelled => DomainStatus::Suspended,
        _ => stored,
    }
}

/// The domain called `name` (as typed: Unicode or punycode) if the user is
/// a member of its account, or staff; anyone else gets `NotFound`.
pub async fn authorize(pool: &PgPool, actor: &Actor, name: &str) -> Result<DomainAccess, ServiceError> {
    let name = DomainName::parse(name).map_err(|_| crate::dns::not_found())?;
    let row = sqlx::query!(
        r#"SELECT d.id, d.account_id, d.status AS "status: DomainStatus", d.serial,
                  d.delegation_problem, d.delegation_checked_at,
                  d.serving_problem IS NOT NULL AS "serving_problem!",
                  ARRAY(SELECT n.name FROM assigned_nameservers n WHERE n.domain_id = d.id ORDER BY n.name)
                    AS "assigned!",
                  a.name AS account_name, a.region, a.primary_domain
           FROM domains d JOIN hosting_accounts a ON a.id = d.account_id
           WHERE d.name = $1"#,
        name.as_str()
    )
    .fetch_optional(pool)
    .await?
    .ok_or(crate::dns::not_found())?;
    let account = access::authorize(pool, actor, AccountId::from(row.account_id)).await?;
    Ok(DomainAccess {
        id: row.id.into(),
        primary: row.primary_domain == name.as_str(),
        name,
        account,
        account_name: row.account_name,
        region: row.region,
        stored_status: row.status,
        serial: u32::try_from(row.serial).unwrap_or(u32::MAX),
        delegation_problem: row.delegation_problem,
        delegation_checked_at: row.delegation_checked_at,
        serving_problem: row.serving_problem,
        assigned: row.assigned,
    })
}

/// A row of the domains list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSummary {
    pub name: DomainName,
    pub account_id: Uuid,
    pub account_name: String,
    pub status: DomainStatus,
    pub records: i64,
    pub last_change: OffsetDateTime,
    /// An active domain whose registry no longer points at us.
    pub delegation_lost: bool,
}

/// The domains of every account the user is a member of.
pub async fn mine(pool: &PgPool, actor: &Actor) -> Result<Vec<DomainSummary>, ServiceError> {
    let rows = sqlx::query!(
        r#"SELECT d.name, d.account_id, a.name AS account_name, d.status AS "status: DomainStatus",
                  a.status AS "account_status: AccountStatus", d.updated_at,
                  d.delegation_problem IS NOT NULL AS "delegation_problem!",
                  (SELECT count(*) FROM dns_records r WHERE r.domain_id = d.id) AS "records!"
           FROM domains d
           JOIN hosting_accounts a ON a.id = d.account_id
           JOIN hosting_members m ON m.account_id = d.account_id AND m.user_id = $1
           ORDER BY d.name
           LIMIT 1000"#,
        actor.id()
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DomainSummary {
                name: DomainName::parse(&r.name)
                    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("stored domain {}: {e}", r.name)))?,
                account_id: r.account_id,
                account_name: r.account_name,
                status: displayed_status(r.status, r.account_status),
                records: r.records,
                last_change: r.updated_at,
                delegation_lost: r.status == DomainStatus::Active && r.delegation_problem,
            })
        })
        .collect()
}

/// The accounts where the user may add domains: (id, name, primary domain).
pub async fn accounts_for_adding(
    pool: &PgPool,
    actor: &Actor,
) -> Result<Vec<(Uuid, String, String)>, ServiceError> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, m.role AS "role: domain::MemberRole"
           FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id AND m.user_id = $1
           WHERE a.status IN ('active', 'pending')
           ORDER BY a.name"#,
        actor.id()
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.role.can(Permission::Dns))
        .map(|r| (r.id, r.name, r.primary_domain))
        .collect())
}

/// Whether `name` is a public suffix (`co.uk`, `github.io`): names are
/// registered under it, so it is nobody's to add (and a zone for it would
/// block every name below it).
fn is_public_suffix(name: &DomainName) -> bool {
    psl::suffix_str(name.as_str()) == Some(name.as_str())
}

/// Names nobody may add: our name servers' own, and public suffixes.
pub(crate) fn refuse_reserved(name: &DomainName, settings: &DnsSettings) -> Result<(), ServiceError> {
    if super::nameservers::is_reserved(name.as_str(), settings) {
        return Err(super::invalid(
            "name",
            format!(
                "{} is used by our name servers and cannot be added.",
                name.as_str()
            ),
        ));
    }
    if is_public_suffix(name) {
        return Err(super::invalid(
            "name",
            format!(
                "{0} is a public suffix: domains are registered under it. Add the domain you registered, like example.{0}.",
                name.as_str()
            ),
        ));
    }
    Ok(())
}

/// The account has room for one more domain, and `name` is in no other
/// zone on the platform (nor around one). Under the platform-wide lock.
async fn check_room(tx: &mut PgConnection, account: &Access, name: &DomainName) -> Result<(), ServiceError> {
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM domains WHERE account_id = $1"#,
        account.account_id()
    )
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_PER_ACCOUNT {
        return Err(super::invalid(
            "name",
            format!("A hosting account can have at most {MAX_PER_ACCOUNT} domains."),
        ));
    }
    let overlapping = sqlx::query_scalar!(
        r#"SELECT name FROM domains
           WHERE name = $1 OR $1 LIKE '%.' || name OR name LIKE '%.' || $1
           LIMIT 1"#,
        name.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(other) = overlapping {
        let message = if other == name.as_str() {
            format!(
                "{} is already on our platform. If it is yours, contact support.",
                name.as_str()
            )
        } else {
            format!(
                "{} overlaps {other}, which is already on our platform: a domain and its subdomains are one zone.",
                name.as_str()
            )
        };
        return Err(super::invalid("name", message));
    }
    Ok(())
}

/// Adds `name` to the account. One zone per domain on the whole platform;
/// a domain inside another zone (or around one) is refused too, so nobody
/// can take over part of someone else's domain.
pub async fn add(
    deps: &Deps,
    settings: &DnsSettings,
    actor: &Actor,
    account: &Access,
    name: &DomainName,
) -> Result<(), ServiceError> {
    account.require(Permission::Dns)?;
    refuse_reserved(name, settings)?;
    let mut tx = deps.pool.begin().await?;
    create_in(
        &mut tx,
        deps,
        settings,
        *account,
        name,
        Some(actor),
        DomainStatus::Pending,
    )
    .await?;
    activity::record_for_account(
        &mut tx,
        account.account_id(),
        NewEntry::by(
            actor,
            Action::DomainAdded,
            serde_json::json!({ "domain": name.as_str() }),
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(domain = %name, account = %account.account_id(), "domain added");
    Ok(())
}

/// A new zone for `name` in the account, with its name server names (and
/// the web records when it is the account's primary domain): `add` for a
/// customer, the registration worker for a name it registered (active at
/// once: the registry points at our names because we told it to).
pub(crate) async fn create_in(
    tx: &mut PgConnection,
    deps: &Deps,
    settings: &DnsSettings,
    account: Access,
    name: &DomainName,
    actor: Option<&Actor>,
    status: DomainStatus,
) -> Result<DomainAccess, ServiceError> {
    // One domain at a time on the whole platform: the overlap check below
    // and the insert after it must see every other addition, or a parent
    // and its child added at the same moment would both pass.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('ksf_domains_add'))")
        .execute(&mut *tx)
        .await?;
    let account_row = sqlx::query!(
        "SELECT name, region, primary_domain FROM hosting_accounts WHERE id = $1 FOR UPDATE",
        account.account_id()
    )
    .fetch_one(&mut *tx)
    .await?;
    check_room(&mut *tx, &account, name).await?;
    let serial = next_serial(0, serial_day(deps.clock.now()));
    let id = sqlx::query_scalar!(
        r#"INSERT INTO domains (account_id, name, serial, created_by, status) VALUES ($1, $2, $3, $4, $5) RETURNING id"#,
        account.account_id(),
        name.as_str(),
        i64::from(serial),
        actor.map(Actor::id),
        status.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    let assigned = super::nameservers::assign(&mut *tx, settings, id).await?;
    let primary = account_row.primary_domain == name.as_str();
    let domain = DomainAccess {
        id: id.into(),
        name: name.clone(),
        account,
        account_name: account_row.name,
        region: account_row.region.clone(),
        primary,
        stored_status: status,
        serial,
        delegation_problem: None,
        delegation_checked_at: None,
        serving_problem: false,
        assigned,
    };
    if primary {
        let at = super::web::addresses_in(&mut *tx, settings, account.account_id()).await?;
        let edits = super::web::records(at, name);
        if !edits.is_empty() {
            zone::apply_in(
                &mut *tx,
                deps,
                actor,
                &domain,
                ChangeSource::Created,
                "Web records for the hosting account",
                edits,
                None,
            )
            .await?;
        }
    }
    Ok(domain)
}

/// Removes the domain and its zone. The caller confirmed by typing its
/// name; with two-factor on, a recent confirmation of identity is needed.
pub async fn remove(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    typed: &str,
) -> Result<(), ServiceError> {
    domain.account.require(Permission::Dns)?;
    let typed = DomainName::parse(typed).ok();
    if typed.as_ref() != Some(&domain.name) {
        return Err(super::invalid(
            "confirm",
            format!(
                "Type {} to confirm.",
                domain::dns::names::unicode(domain.name.as_str())
            ),
        ));
    }
    access::require_step_up(actor, false)?;
    let mut tx = deps.pool.begin().await?;
    let gone = sqlx::query!("DELETE FROM domains WHERE id = $1", domain.id.uuid())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(super::not_found());
    }
    activity::record_for_account(
        &mut tx,
        domain.account.account_id(),
        NewEntry::by(
            actor,
            Action::DomainRemoved,
            serde_json::json!({ "domain": domain.name.as_str() }),
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(domain = %domain.name, "domain removed");
    Ok(())
}
