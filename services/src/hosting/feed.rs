//! The activity feed of hosting accounts, in readable sentences:
//! "Ana invited bo@example.com as developer".

use serde_json::Value;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::Access;
use super::{page_number, Page, ServiceError};
use crate::Actor;
use domain::{MemberRole, Permission, Role};

pub const PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    pub account_id: Uuid,
    pub account_name: String,
    pub sentence: String,
    pub at: OffsetDateTime,
}

fn text<'a>(details: &'a Value, key: &str) -> &'a str {
    details.get(key).and_then(Value::as_str).unwrap_or("?")
}

fn role(details: &Value, key: &str) -> String {
    MemberRole::parse(text(details, key))
        .map(|r| r.as_str().to_string())
        .unwrap_or_else(|| text(details, key).to_string())
}

/// One event as a sentence about its actor.
pub fn sentence(actor: &str, action: &str, details: &Value) -> String {
    match action {
        "hosting_account_created" => format!(
            "{actor} created the account on the {} plan",
            text(details, "plan")
        ),
        "hosting_account_updated" => {
            let changes: Vec<String> = [
                ("name", "the name"),
                ("primary_domain", "the primary domain"),
                ("region", "the region"),
            ]
            .iter()
            .filter_map(|(key, what)| {
                let change = details.get(*key)?;
                Some(format!(
                    "{what} from {} to {}",
                    text(change, "from"),
                    text(change, "to")
                ))
            })
            .collect();
            format!("{actor} changed {}", changes.join(", "))
        }
        "domain_added" => format!("{actor} added the domain {}", text(details, "domain")),
        "domain_removed" => format!("{actor} removed the domain {}", text(details, "domain")),
        "domain_registered" => format!(
            "{} was registered until {}: its DNS is live on our name servers",
            text(details, "domain"),
            text(details, "expires")
        ),
        "domain_transferred" => format!(
            "{} was transferred to us, registered until {}: its DNS is live on our name servers",
            text(details, "domain"),
            text(details, "expires")
        ),
        "domain_renewed" => format!(
            "{} was renewed until {}",
            text(details, "domain"),
            text(details, "expires")
        ),
        "domain_registration_refunded" => format!(
            "The registrar refused {}; the payment was refunded",
            text(details, "domain")
        ),
        "dns_changed" => format!(
            "{actor} changed DNS of {}: {}",
            text(details, "domain"),
            text(details, "summary")
        ),
        "domain_delegated" => format!(
            "{} now points at our name servers: its DNS is live",
            text(details, "domain")
        ),
        "domain_delegation_lost" => format!(
            "{} no longer points at our name servers: {}",
            text(details, "domain"),
            text(details, "problem")
        ),
        "site_deployed" => format!(
            "{actor} uploaded {} ({}) to the site",
            text(details, "file"),
            text(details, "size")
        ),
        "site_rolled_back" => format!(
            "{actor} put back the site uploaded as {} on {}",
            text(details, "file"),
            text(details, "when")
        ),
        "site_moved" => format!(
            "{actor} moved the site to the hosting node {}",
            text(details, "node")
        ),
        "site_bandwidth_paused" => {
            "The site served this month's bandwidth: visitors see it paused until next month or a bigger plan"
                .to_string()
        }
        "site_bandwidth_restored" => "The site is served again: it has bandwidth to serve".to_string(),
        "site_deploy_failed" => format!(
            "The hosting node refused {}: {}",
            text(details, "file"),
            text(details, "error")
        ),
        "plan_changed" => format!(
            "{actor} changed the plan from {} to {}",
            text(details, "from"),
            text(details, "to")
        ),
        "hosting_account_cancelled" => format!("{actor} cancelled the account"),
        "hosting_account_suspended" => format!("{actor} suspended the account: {}", text(details, "reason")),
        "hosting_account_resumed" => format!("{actor} resumed the account"),
        "member_invited" => format!(
            "{actor} invited {} as {}",
            text(details, "email"),
            role(details, "role")
        ),
        "invitation_revoked" => format!("{actor} withdrew the invitation to {}", text(details, "email")),
        "member_joined" => format!("{actor} joined as {}", role(details, "role")),
        "member_role_changed" => format!(
            "{actor} changed {}'s role from {} to {}",
            text(details, "member"),
            role(details, "from"),
            role(details, "to")
        ),
        "member_removed" => format!(
            "{actor} removed {} ({})",
            text(details, "member"),
            role(details, "role")
        ),
        "member_left" => format!("{actor} left the account"),
        "ownership_transferred" => format!("{actor} made {} the owner", text(details, "member")),
        // Billing events come from Stripe, not from a person.
        "billing_account_activated" => "Payment confirmed: the account is active".to_string(),
        // Amounts are for those who see billing (/billing), not every member.
        "billing_payment_received" => format!("Payment received (invoice {})", text(details, "number")),
        "billing_payment_failed" => format!("A payment failed (invoice {})", text(details, "number")),
        "billing_cancel_scheduled" => "The subscription will end at the end of the period".to_string(),
        "billing_cancel_withdrawn" => "The subscription will renew (cancellation withdrawn)".to_string(),
        "billing_subscription_ended" => "The subscription ended".to_string(),
        "billing_suspended_unpaid" => "Suspended: unpaid past the grace period".to_string(),
        _ => format!("{actor} changed the account"),
    }
}

struct Row {
    account_id: Uuid,
    account_name: String,
    actor_name: Option<String>,
    actor_role: Option<Role>,
    action: String,
    details: Value,
    created_at: OffsetDateTime,
}

fn to_page(rows: Vec<Row>, page: i64) -> Page<FeedEntry> {
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let items = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|r| {
            let actor = match (r.actor_name, r.actor_role) {
                (Some(name), Some(Role::Staff)) => format!("{name} ({} staff)", domain::PRODUCT_NAME),
                (Some(name), _) => name,
                (None, _) => "Someone".to_string(),
            };
            FeedEntry {
                account_id: r.account_id,
                account_name: r.account_name,
                sentence: sentence(&actor, &r.action, &r.details),
                at: r.created_at,
            }
        })
        .collect();
    Page {
        items,
        page,
        has_next,
    }
}

/// One account's events, newest first (anyone who may view it).
pub async fn for_account(pool: &PgPool, access: &Access, page: i64) -> Result<Page<FeedEntry>, ServiceError> {
    access.require(Permission::View)?;
    let page = page_number(page);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT l.account_id AS "account_id!", a.name AS account_name, u.display_name AS "actor_name?", u.role AS "actor_role?: Role",
                  l.action, l.details, l.created_at
           FROM activity_log l
           JOIN hosting_accounts a ON a.id = l.account_id
           LEFT JOIN users u ON u.id = l.actor_id
           WHERE l.account_id = $1
           ORDER BY l.created_at DESC, l.id DESC LIMIT $2 OFFSET $3"#,
        access.account_id(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    Ok(to_page(rows, page))
}

/// Events of every account the user can see (members: theirs; staff: all).
/// Two statements, so each has a plan of its own: staff read the newest
/// entries through their index, members through each account's.
pub async fn for_user(pool: &PgPool, actor: &Actor, page: i64) -> Result<Page<FeedEntry>, ServiceError> {
    let page = page_number(page);
    let (limit, offset) = (PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    let rows = if actor.is_staff() {
        sqlx::query_as!(
            Row,
            r#"SELECT l.account_id AS "account_id!", a.name AS account_name, u.display_name AS "actor_name?", u.role AS "actor_role?: Role",
                      l.action, l.details, l.created_at
               FROM (SELECT * FROM activity_log WHERE account_id IS NOT NULL
                     ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2) l
               JOIN hosting_accounts a ON a.id = l.account_id
               LEFT JOIN users u ON u.id = l.actor_id
               ORDER BY l.created_at DESC, l.id DESC"#,
            limit,
            offset
        )
        .fetch_all(pool)
        .await?
    } else {
        sqlx::query_as!(
            Row,
            r#"SELECT l.account_id AS "account_id!", a.name AS account_name, u.display_name AS "actor_name?", u.role AS "actor_role?: Role",
                      l.action, l.details, l.created_at
               FROM activity_log l
               JOIN hosting_accounts a ON a.id = l.account_id
               LEFT JOIN users u ON u.id = l.actor_id
               WHERE l.account_id IN (SELECT account_id FROM hosting_members WHERE user_id = $1)
               ORDER BY l.created_at DESC, l.id DESC LIMIT $2 OFFSET $3"#,
            actor.id(),
            limit,
            offset
        )
        .fetch_all(pool)
        .await?
    };
    Ok(to_page(rows, page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_read_as_sentences() {
        assert_eq!(
            sentence(
                "Ana",
                "member_invited",
                &json!({"email": "bo@example.com", "role": "developer"})
            ),
            "Ana invited bo@example.com as developer"
        );
        assert_eq!(
            sentence(
                "Ana",
                "member_role_changed",
                &json!({"member": "Bo", "from": "viewer", "to": "admin"})
            ),
            "Ana changed Bo's role from viewer to admin"
        );
        assert_eq!(
            sentence(
                "Ana",
                "hosting_account_updated",
                &json!({"name": {"from": "Shop", "to": "Store"}})
            ),
            "Ana changed the name from Shop to Store"
        );
        assert_eq!(sentence("Bo", "member_left", &json!({})), "Bo left the account");
    }
}
