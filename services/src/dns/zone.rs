//! A zone's records, and the one way to change them: `apply` locks the
//! domain, checks the edits against the zone's rules, writes them, bumps
//! the serial and records the change, in one transaction.

use std::collections::HashMap;

use domain::DomainId;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use super::domains::DomainAccess;
use super::{serial_day, ServiceError};
use crate::activity::{self, Action, NewEntry};
use crate::{Actor, Deps};
use domain::dns::zone::{self as rules, next_serial};
use domain::dns::{ChangeSource, Record, RecordData, RecordName, Ttl};
use domain::Permission;

/// One edit of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A new record; a revert brings a removed record back with its id.
    Add {
        id: Option<Uuid>,
        record: Record,
    },
    Update(Uuid, Record),
    Delete(Uuid),
}

/// A touched record, as history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: Uuid,
    pub before: Option<Record>,
    pub after: Option<Record>,
}

/// A revert: the change it undoes and what that change left, which must
/// still be there (checked under the domain's lock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverting {
    pub change: i64,
    pub left: Vec<Entry>,
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub change_id: i64,
    pub serial: u32,
    pub entries: Vec<Entry>,
}

/// A stored record back into its type; anything the code does not know
/// is an error, never a default.
pub(crate) fn decode(name: String, ttl: i32, data: serde_json::Value) -> Result<Record, ServiceError> {
    let ttl = u32::try_from(ttl)
        .ok()
        .and_then(|t| Ttl::new(t).ok())
        .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("stored TTL {ttl} out of range")))?;
    Ok(Record {
        name: RecordName::from_stored(&name),
        ttl,
        data: serde_json::from_value::<RecordData>(data)?,
    })
}

/// The zone's records with their ids, by name and type.
pub async fn records(
    conn: &mut PgConnection,
    domain_id: DomainId,
) -> Result<Vec<(Uuid, Record)>, ServiceError> {
    let domain_id = domain_id.uuid();
    let rows = sqlx::query!(
        r#"SELECT id, name, ttl, data FROM dns_records WHERE domain_id = $1
           ORDER BY (name <> '@'), name, type, created_at, id"#,
        domain_id
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.id, decode(r.name, r.ttl, r.data)?)))
        .collect()
}

/// The zone's records, for someone who may see them.
pub async fn list(deps: &Deps, domain: &DomainAccess) -> Result<Vec<(Uuid, Record)>, ServiceError> {
    domain.account.require(Permission::View)?;
    let mut conn = deps.pool.acquire().await?;
    records(&mut conn, domain.id).await
}

/// Applies `edits` as one change by `actor`.
pub async fn apply(
    deps: &Deps,
    actor: &Actor,
    domain: &DomainAccess,
    source: ChangeSource,
    summary: &str,
    edits: Vec<Edit>,
    reverts: Option<&Reverting>,
) -> Result<Applied, ServiceError> {
    domain.account.require(Permission::Dns)?;
    if edits.is_empty() {
        return Err(ServiceError::Conflict("There is nothing to change.".into()));
    }
    let mut tx = deps.pool.begin().await?;
    let applied = apply_in(
        &mut tx,
        deps,
        Some(actor),
        domain,
        source,
        summary,
        edits,
        reverts,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(domain = %domain.name, change = applied.change_id, serial = applied.serial, ?source, "zone changed");
    Ok(applied)
}

/// `apply` inside a transaction the caller owns (also used when a domain
/// is added, and by the demo).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn apply_in(
    tx: &mut PgConnection,
    deps: &Deps,
    actor: Option<&Actor>,
    domain: &DomainAccess,
    source: ChangeSource,
    summary: &str,
    edits: Vec<Edit>,
    reverts: Option<&Reverting>,
) -> Result<Applied, ServiceError> {
    let serial = sqlx::query_scalar!(
        "SELECT serial FROM domains WHERE id = $1 FOR UPDATE",
        domain.id.uuid()
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(crate::dns::not_found())?;
    let zone = records(tx, domain.id).await?;
    if let Some(revert) = reverts {
        check_revert(&zone, revert)?;
    }
    let wanted = edits
        .iter()
        .filter(|e| matches!(e, Edit::Add { id: None, .. }))
        .count();
    let fresh: Vec<Uuid> = sqlx::query_scalar!(
        r#"SELECT gen_random_uuid() AS "id!" FROM generate_series(1, $1::int)"#,
        wanted as i32
    )
    .fetch_all(&mut *tx)
    .await?;
    // The new state, checked before anything is written.
    let entries = Plan::new(zone, edits, fresh)?.checked()?;
    write(tx, domain.id, &entries).await?;
    let current = u32::try_from(serial).unwrap_or(u32::MAX);
    let serial = next_serial(current, serial_day(deps.clock.now()));
    sqlx::query!(
        "UPDATE domains SET serial = $2, updated_at = now() WHERE id = $1",
        domain.id.uuid(),
        i64::from(serial)
    )
    .execute(&mut *tx)
    .await?;
    let change_id = sqlx::query_scalar!(
        r#"INSERT INTO dns_changes (domain_id, actor_id, source, summary, entries, serial, reverts)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
        domain.id.uuid(),
        actor.map(Actor::id),
        source.as_str(),
        summary,
        serde_json::to_value(&entries)?,
        i64::from(serial),
        reverts.map(|r| r.change)
    )
    .fetch_one(&mut *tx)
    .await?;
    if source != ChangeSource::Created {
        if let Some(actor) = actor {
            activity::record_for_account(
                tx,
                domain.account.account_id(),
                NewEntry::by(
                    actor,
                    Action::DnsChanged,
                    serde_json::json!({ "domain": domain.name.as_str(), "summary": summary }),
                ),
            )
            .await?;
        }
    }
    Ok(Applied {
        change_id,
        serial,
        entries,
    })
}

/// A revert applies only while the change's records are as it left them.
fn check_revert(zone: &[(Uuid, Record)], revert: &Reverting) -> Result<(), ServiceError> {
    let current: HashMap<Uuid, &Record> = zone.iter().map(|(id, r)| (*id, r)).collect();
    if revert
        .left
        .iter()
        .any(|e| current.get(&e.id).copied() != e.after.as_ref())
    {
        return Err(ServiceError::Conflict(
            "This change cannot be reverted: its records were changed since. Revert the later changes first."
                .into(),
        ));
    }
    Ok(())
}

fn gone() -> ServiceError {
    ServiceError::Conflict(
        "That record was changed or removed meanwhile: reload the page and try again.".into(),
    )
}

/// The zone with the edits applied in memory: what each entry changes,
/// and what the zone holds after.
struct Plan {
    zone: Vec<(Uuid, Record)>,
    removed: Vec<bool>,
    added: Vec<(Uuid, Record)>,
    entries: Vec<Entry>,
}

impl Plan {
    /// Applies `edits` to `zone`; new records take their ids from `fresh`.
    /// An edit naming a record that is not there (any more) is refused.
    fn new(mut zone: Vec<(Uuid, Record)>, edits: Vec<Edit>, fresh: Vec<Uuid>) -> Result<Self, ServiceError> {
        let index: HashMap<Uuid, usize> = zone.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
        let mut fresh = fresh.into_iter();
        let mut removed = vec![false; zone.len()];
        let mut added: Vec<(Uuid, Record)> = Vec::new();
        let mut entries = Vec::with_capacity(edits.len());
        // The zone's record `id`, unless it is not there or already deleted.
        let present = |id: &Uuid, removed: &[bool]| -> Result<usize, ServiceError> {
            let i = *index.get(id).ok_or_else(gone)?;
            if removed[i] {
                Err(gone())
            } else {
                Ok(i)
            }
        };
        for edit in edits {
            match edit {
                Edit::Add { id, record } => {
                    let id = match id {
                        Some(id) if index.contains_key(&id) => return Err(gone()),
                        Some(id) => id,
                        None => fresh.next().ok_or_else(gone)?,
                    };
                    entries.push(Entry {
                        id,
                        before: None,
                        after: Some(record.clone()),
                    });
                    added.push((id, record));
                }
                Edit::Update(id, record) => {
                    let i = present(&id, &removed)?;
                    entries.push(Entry {
                        id,
                        before: Some(zone[i].1.clone()),
                        after: Some(record.clone()),
                    });
                    zone[i].1 = record;
                }
                Edit::Delete(id) => {
                    let i = present(&id, &removed)?;
                    removed[i] = true;
                    entries.push(Entry {
                        id,
                        before: Some(zone[i].1.clone()),
                        after: None,
                    });
                }
            }
        }
        Ok(Plan {
            zone,
            removed,
            added,
            entries,
        })
    }

    /// The records kept or added, but not `except`.
    fn records_except<'a>(&'a self, except: Option<&'a Uuid>) -> impl Iterator<Item = &'a Record> + 'a {
        self.zone
            .iter()
            .enumerate()
            .filter(move |(i, (id, _))| !self.removed[*i] && Some(id) != except)
            .map(|(_, (_, r))| r)
            .chain(
                self.added
                    .iter()
                    .filter(move |(id, _)| Some(id) != except)
                    .map(|(_, r)| r),
            )
    }

    /// The entries, once the new zone passes the rules. A single record's
    /// problem belongs next to its fields.
    fn checked(self) -> Result<Vec<Entry>, ServiceError> {
        if let [Entry {
            id,
            after: Some(record),
            ..
        }] = self.entries.as_slice()
        {
            if let Some(problem) = rules::conflict(self.records_except(Some(id)), record) {
                return Err(super::invalid("name", problem));
            }
        }
        let after: Vec<Record> = self.records_except(None).cloned().collect();
        rules::check(&after).map_err(ServiceError::Conflict)?;
        Ok(self.entries)
    }
}

/// Writes the entries: deletes, updates and inserts, each in one statement.
async fn write(tx: &mut PgConnection, domain_id: DomainId, entries: &[Entry]) -> Result<(), ServiceError> {
    let domain_id = domain_id.uuid();
    let deleted: Vec<Uuid> = entries
        .iter()
        .filter(|e| e.after.is_none())
        .map(|e| e.id)
        .collect();
    if !deleted.is_empty() {
        sqlx::query!(
            "DELETE FROM dns_records WHERE domain_id = $1 AND id = ANY($2)",
            domain_id,
            &deleted
        )
        .execute(&mut *tx)
        .await?;
    }
    let mut columns = Columns::default();
    let mut inserts = Columns::default();
    for e in entries {
        if let Some(r) = &e.after {
            let target = if e.before.is_some() {
                &mut columns
            } else {
                &mut inserts
            };
            target.push(e.id, r)?;
        }
    }
    if !columns.ids.is_empty() {
        sqlx::query!(
            r#"UPDATE dns_records d SET name = u.name, type = u.type, ttl = u.ttl, data = u.data, updated_at = now()
               FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int[], $6::jsonb[]) AS u(id, name, type, ttl, data)
               WHERE d.domain_id = $1 AND d.id = u.id"#,
            domain_id,
            &columns.ids,
            &columns.names,
            &columns.types,
            &columns.ttls,
            &columns.data
        )
        .execute(&mut *tx)
        .await?;
    }
    if !inserts.ids.is_empty() {
        sqlx::query!(
            r#"INSERT INTO dns_records (id, domain_id, name, type, ttl, data)
               SELECT u.id, $1, u.name, u.type, u.ttl, u.data
               FROM UNNEST($2::uuid[], $3::text[], $4::text[], $5::int[], $6::jsonb[]) AS u(id, name, type, ttl, data)"#,
            domain_id,
            &inserts.ids,
            &inserts.names,
            &inserts.types,
            &inserts.ttls,
            &inserts.data
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

#[derive(Default)]
struct Columns {
    ids: Vec<Uuid>,
    names: Vec<String>,
    types: Vec<String>,
    ttls: Vec<i32>,
    data: Vec<serde_json::Value>,
}

impl Columns {
    fn push(&mut self, id: Uuid, r: &Record) -> Result<(), ServiceError> {
        self.ids.push(id);
        self.names.push(r.name.as_str().to_string());
        self.types.push(r.record_type().as_str().to_string());
        self.ttls.push(i32::try_from(r.ttl.seconds()).unwrap_or(i32::MAX));
        self.data.push(serde_json::to_value(&r.data)?);
        Ok(())
    }
}
