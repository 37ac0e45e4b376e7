//! The demo customer's zones, made through the same services the portal
//! uses: web records from the account's region, mail with SPF and DMARC,
//! a few verification records, a later TTL change, and so some history.

use uuid::Uuid;

use super::domains::{self, DomainAccess};
use super::zone::{self, Edit};
use super::{DnsSettings, ServiceError};
use crate::hosting::access;
use crate::{Actor, Deps};
use domain::dns::templates::{DmarcPolicy, Options, Template};
use domain::dns::{ChangeSource, RecordInput, Ttl};
use domain::{AccountId, DomainName};

fn input(kind: &str, name: &str, content: &str, priority: &str) -> RecordInput {
    RecordInput {
        kind: kind.into(),
        name: name.into(),
        content: content.into(),
        priority: priority.into(),
        ttl: "3600".into(),
        ..Default::default()
    }
}

/// Adds each account's primary domain with a realistic zone, active.
pub async fn seed(
    deps: &Deps,
    settings: &DnsSettings,
    owner: &Actor,
    accounts: &[Uuid],
) -> Result<(), ServiceError> {
    for (i, id) in accounts.iter().enumerate() {
        let account = access::authorize(&deps.pool, owner, AccountId::from(*id)).await?;
        let primary = sqlx::query_scalar!("SELECT primary_domain FROM hosting_accounts WHERE id = $1", id)
            .fetch_one(&deps.pool)
            .await?;
        let name = DomainName::parse(&primary)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("demo domain: {e}")))?;
        domains::add(deps, settings, owner, &account, &name).await?;
        let domain = domains::authorize(&deps.pool, owner, name.as_str()).await?;
        let mail = [
            input("MX", "@", &format!("mail.{}", name.as_str()), "10"),
            input("A", "mail", "203.0.113.25", ""),
            input("TXT", "@", "v=spf1 mx include:_spf.ksfoundation.test ~all", ""),
            input(
                "TXT",
                "@",
                &format!("google-site-verification=demo{i}x7Kq2VbN9mPz"),
                "",
            ),
            input("TXT", "_github-challenge-demo", &format!("8f3c{i}a91d2"), ""),
            input("CAA", "@", "letsencrypt.org", ""),
            input("CNAME", "blog", &format!("www.{}", name.as_str()), ""),
        ];
        let edits = mail
            .into_iter()
            .map(|mut r| {
                if r.kind == "CAA" {
                    r.tag = "issue".into();
                }
                r.parse(&name)
                    .map(|record| Edit::Add { id: None, record })
                    .map_err(|e| ServiceError::Internal(anyhow::anyhow!("demo record: {e:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        zone::apply(
            deps,
            owner,
            &domain,
            ChangeSource::Editor,
            "Added mail and verification records",
            edits,
            None,
        )
        .await?;
        super::templates::apply(
            deps,
            settings,
            owner,
            &domain,
            Template::Dmarc,
            &Options {
                dmarc_policy: Some(DmarcPolicy::Quarantine),
                server: None,
            },
        )
        .await?;
        lower_web_ttl(deps, owner, &domain).await?;
        sqlx::query!(
            "UPDATE domains SET status = 'active' WHERE id = $1",
            domain.id.uuid()
        )
        .execute(&deps.pool)
        .await?;
    }
    Ok(())
}

/// "Before moving servers": the web records' TTL down to five minutes.
async fn lower_web_ttl(deps: &Deps, owner: &Actor, domain: &DomainAccess) -> Result<(), ServiceError> {
    let records = zone::list(deps, domain).await?;
    let five_minutes = Ttl::new(300).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
    let edits: Vec<Edit> = records
        .into_iter()
        .filter(|(_, r)| r.name.as_str() == "www")
        .map(|(id, mut r)| {
            r.ttl = five_minutes;
            Edit::Update(id, r)
        })
        .collect();
    if !edits.is_empty() {
        zone::apply(
            deps,
            owner,
            domain,
            ChangeSource::Editor,
            "Lowered the TTL of www to 5 minutes",
            edits,
            None,
        )
        .await?;
    }
    Ok(())
}
