//! Each zone's own name server names. Two names under the platform's name
//! server domain (`KSF_NAMESERVER_DOMAIN`), answered by the same servers
//! as every zone; the registry pointing at exactly these names is the
//! proof that whoever added the domain controls it. A name is assigned
//! once and never again, so a delegation left behind by a removed zone
//! cannot hand the domain to the next customer who adds it.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{DnsSettings, ServiceError};

/// Names each zone is given.
pub const PER_ZONE: usize = 2;

/// Letters and digits that read unambiguously (no o, 1, l or i), 32 of
/// them: a random byte maps onto them evenly.
const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";

/// `ns-k7m2q9xa.ns.example.net`: a fresh random name.
fn fresh(domain: &str) -> String {
    let bytes = Uuid::new_v4().into_bytes();
    let token: String = bytes[..8]
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    format!("ns-{token}.{domain}")
}

/// Gives the new zone `domain_id` its names, inside the transaction that
/// adds it. A name already given out (however unlikely) is skipped.
pub async fn assign(
    conn: &mut PgConnection,
    settings: &DnsSettings,
    domain_id: Uuid,
) -> Result<Vec<String>, ServiceError> {
    let mut names = Vec::with_capacity(PER_ZONE);
    for _ in 0..PER_ZONE * 8 {
        if names.len() == PER_ZONE {
            break;
        }
        let name = fresh(&settings.nameserver_domain);
        let taken = sqlx::query(
            "INSERT INTO assigned_nameservers (name, domain_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&name)
        .bind(domain_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 0;
        if !taken {
            names.push(name);
        }
    }
    if names.len() < PER_ZONE {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "no free name server names"
        )));
    }
    names.sort();
    Ok(names)
}

/// The names of each of `domains` (zones added before names were assigned
/// have none: they keep the platform's shared names, see `or_shared`).
pub async fn of(pool: &PgPool, domains: &[Uuid]) -> Result<HashMap<Uuid, Vec<String>>, sqlx::Error> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT domain_id, name FROM assigned_nameservers WHERE domain_id = ANY($1) ORDER BY name",
    )
    .bind(domains)
    .fetch_all(pool)
    .await?;
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::with_capacity(domains.len());
    for (id, name) in rows {
        out.entry(id).or_default().push(name);
    }
    Ok(out)
}

/// A zone's own names, or the platform's shared ones for a zone from
/// before names were assigned.
pub fn or_shared(assigned: Vec<String>, settings: &DnsSettings) -> Vec<String> {
    if assigned.is_empty() {
        settings.nameservers.clone()
    } else {
        assigned
    }
}

/// Whether `name` is the platform's name server domain, inside it, or
/// around it: no customer may add those.
pub fn is_reserved(name: &str, settings: &DnsSettings) -> bool {
    let ns = settings.nameserver_domain.as_str();
    name == ns || name.ends_with(&format!(".{ns}")) || ns.ends_with(&format!(".{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_names_are_under_the_domain_and_differ() {
        let a = fresh("ns.example.net");
        let b = fresh("ns.example.net");
        assert_ne!(a, b);
        assert!(a.starts_with("ns-") && a.ends_with(".ns.example.net"), "{a}");
        assert_eq!(a.len(), "ns-".len() + 8 + ".ns.example.net".len());
        assert!(domain::DomainName::parse(&a).is_ok());
    }

    #[test]
    fn the_platform_domain_and_its_neighbours_are_reserved() {
        let settings = DnsSettings::development();
        assert!(is_reserved("ns.example.net", &settings));
        assert!(is_reserved("a.ns.example.net", &settings));
        assert!(is_reserved("example.net", &settings));
        assert!(!is_reserved("shop.example.net", &settings));
        assert!(!is_reserved("xns.example.net", &settings));
    }
}
