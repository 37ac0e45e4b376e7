//! The demo's hosting: its accounts, their usage, teams and domains.

use sqlx::PgPool;

use super::tickets::seed_tickets;
use super::{demo_actor, demo_deps, SeedError, DEMO_LOGINS};
use crate::passwords::HashCost;
use crate::users::{create_user, find_id_by_email, NewUser};
use domain::hosting::Region;
use domain::{AccountName, DisplayName, DomainName, Email, Password, Role};

/// A demo hosting account and the usage its node reports.
pub(super) struct DemoAccount {
    name: &'static str,
    plan: &'static str,
    domain: &'static str,
    region: &'static str,
    /// Storage in use at the start of the 90 days, in GB.
    storage_gb: f64,
    /// Bandwidth served a day, in GB.
    daily_gb: f64,
}

/// The demo customer's accounts: a busy shop, a small blog, an agency on
/// the big plan, and a staging site close to its quota.
pub(super) const DEMO_ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        name: "Demo Shop",
        plan: "pro",
        domain: "shop.example.com",
        region: "eu-central",
        storage_gb: 18.0,
        daily_gb: 9.0,
    },
    DemoAccount {
        name: "Demo Blog",
        plan: "starter",
        domain: "blog.example.com",
        region: "eu-west",
        storage_gb: 3.0,
        daily_gb: 2.0,
    },
    DemoAccount {
        name: "Agency Sites",
        plan: "business",
        domain: "agency.example.com",
        region: "us-east",
        storage_gb: 120.0,
        daily_gb: 40.0,
    },
    DemoAccount {
        name: "Staging",
        plan: "starter",
        domain: "staging.example.com",
        region: "eu-central",
        storage_gb: 7.5,
        daily_gb: 0.4,
    },
];

/// Other customers, so staff see a platform: (name, email, days ago they
/// signed up, their account).
pub(super) const OTHER_CUSTOMERS: [(&str, &str, i64, DemoAccount); 6] = [
    (
        "Noah Fischer",
        "noah@demo.ksfoundation.test",
        27,
        DemoAccount {
            name: "Fischer Bakery",
            plan: "starter",
            domain: "bakery.example.net",
            region: "eu-central",
            storage_gb: 2.0,
            daily_gb: 1.0,
        },
    ),
    (
        "Maya Singh",
        "maya@demo.ksfoundation.test",
        21,
        DemoAccount {
            name: "Singh Studio",
            plan: "pro",
            domain: "studio.example.net",
            region: "ap-southeast",
            storage_gb: 25.0,
            daily_gb: 6.0,
        },
    ),
    (
        "Liam O'Brien",
        "liam@demo.ksfoundation.test",
        14,
        DemoAccount {
            name: "Harbour Tours",
            plan: "starter",
            domain: "tours.example.net",
            region: "eu-west",
            storage_gb: 4.0,
            daily_gb: 3.5,
        },
    ),
    (
        "Sofia Rossi",
        "sofia@demo.ksfoundation.test",
        9,
        DemoAccount {
            name: "Rossi Photography",
            plan: "business",
            domain: "photo.example.net",
            region: "eu-central",
            storage_gb: 150.0,
            daily_gb: 25.0,
        },
    ),
    (
        "Ethan Kim",
        "ethan@demo.ksfoundation.test",
        4,
        DemoAccount {
            name: "Kim Consulting",
            plan: "starter",
            domain: "kim.example.net",
            region: "us-east",
            storage_gb: 1.0,
            daily_gb: 0.5,
        },
    ),
    (
        "Ava Johnson",
        "ava@demo.ksfoundation.test",
        1,
        DemoAccount {
            name: "Johnson Crafts",
            plan: "pro",
            domain: "crafts.example.net",
            region: "us-east",
            storage_gb: 8.0,
            daily_gb: 2.5,
        },
    ),
];

const DEMO_PASSWORD_FOR_OTHERS: &str = "not-a-demo-login-1";

/// Creates the account as its owner and feeds it 90 days of hourly usage
/// through the same ingestion hosting nodes use (one node per region).
async fn open_account(
    pool: &PgPool,
    owner: &crate::Actor,
    a: &DemoAccount,
    seed: u64,
    tokens: &mut std::collections::HashMap<&'static str, String>,
) -> Result<uuid::Uuid, SeedError> {
    use crate::hosting::{accounts, node_tokens, usage};
    let hosting = |e: &dyn std::fmt::Display| SeedError::Hosting(e.to_string());
    let invalid = |what: &str| SeedError::Invalid(format!("demo {what}"));
    let region = Region::parse(a.region).ok_or_else(|| invalid("region"))?;
    let plan = sqlx::query_scalar!("SELECT id FROM plans WHERE code = $1", a.plan)
        .fetch_one(pool)
        .await?;
    let input = accounts::NewAccount {
        details: accounts::AccountDetails {
            name: AccountName::parse(a.name).map_err(|_| invalid("name"))?,
            primary_domain: DomainName::parse(a.domain).map_err(|_| invalid("domain"))?,
            region,
        },
        plan,
    };
    let limits = crate::rate_limit::Limits::default();
    let id = accounts::create(pool, &limits, owner, &input)
        .await
        .map_err(|e| hosting(&e))?;
    let token = match tokens.get(a.region) {
        Some(token) => token.clone(),
        None => {
            let token = node_tokens::create_unchecked(pool, None, &format!("demo-{}", region.code()), region)
                .await
                .map_err(|e| hosting(&e))?;
            tokens.insert(a.region, token.clone());
            token
        }
    };
    let gb = crate::hosting::plans::GB as f64;
    let site = usage::DemoSite {
        base_storage: (a.storage_gb * gb) as i64,
        daily_bandwidth: (a.daily_gb * gb) as i64,
        seed,
    };
    let samples = usage::demo_samples(id.uuid(), owner.now, 90, &site);
    for chunk in samples.chunks(usage::MAX_BATCH) {
        usage::ingest(pool, &token, chunk, owner.now)
            .await
            .map_err(|e| hosting(&e))?;
    }
    Ok(id.uuid())
}

/// The demo's hosting story, through the same services the portal uses:
/// the demo customer's accounts with 90 days of usage, a teammate, a plan
/// change and a pending invitation; other customers who signed up over
/// the last month, one of them suspended by staff. Only when the demo
/// customer has no accounts yet.
pub(super) async fn seed_hosting(pool: &PgPool, links: &crate::identity::Links) -> Result<(), SeedError> {
    use crate::hosting::{access, accounts, invitations};
    use domain::{AccountId, MemberRole};
    let hosting = |e: &dyn std::fmt::Display| SeedError::Hosting(e.to_string());
    let email = Email::parse(DEMO_LOGINS[0].email).map_err(|e| SeedError::Invalid(e.to_string()))?;
    let Some(user_id) = find_id_by_email(pool, &email).await? else {
        return Ok(());
    };
    let has_accounts = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM hosting_members WHERE user_id = $1) AS "e!""#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    if has_accounts {
        return Ok(());
    }
    let demo = demo_actor(user_id, email.as_str(), "Demo Customer", Role::Customer);
    let mut tokens = std::collections::HashMap::new();
    let mut ids = Vec::new();
    for (i, a) in DEMO_ACCOUNTS.iter().enumerate() {
        ids.push(open_account(pool, &demo, a, 42 + i as u64, &mut tokens).await?);
    }

    // The other customers, signed up over the last month.
    let mut others = Vec::new();
    for (i, (name, address, days_ago, a)) in OTHER_CUSTOMERS.iter().enumerate() {
        let email = Email::parse(address).map_err(|e| SeedError::Invalid(e.to_string()))?;
        let id = match find_id_by_email(pool, &email).await? {
            Some(id) => id,
            None => {
                create_user(
                    pool,
                    NewUser {
                        email: email.clone(),
                        display_name: DisplayName::parse(name)
                            .map_err(|e| SeedError::Invalid(e.to_string()))?,
                        password: Password::parse(DEMO_PASSWORD_FOR_OTHERS)
                            .map_err(|e| SeedError::Invalid(e.to_string()))?,
                        role: Role::Customer,
                        staff_role: None,
                        email_verified: true,
                    },
                    HashCost::OWASP,
                )
                .await?
            }
        };
        sqlx::query!(
            "UPDATE users SET created_at = now() - make_interval(days => $2) WHERE id = $1",
            id,
            *days_ago as i32
        )
        .execute(pool)
        .await?;
        let owner = demo_actor(id, email.as_str(), name, Role::Customer);
        let account = open_account(pool, &owner, a, 100 + i as u64, &mut tokens).await?;
        others.push((owner, account));
    }

    // A teammate: Maya joins the agency's account as a developer.
    let (maya, _) = &others[1];
    let agency = access::authorize(pool, &demo, AccountId::from(ids[2]))
        .await
        .map_err(|e| hosting(&e))?;
    let invitation = invitations::NewInvitation {
        email: Email::parse(&maya.user.email).map_err(|e| SeedError::Invalid(e.to_string()))?,
        role: MemberRole::Developer,
    };
    invite(pool, links, &demo, &agency, &invitation).await?;
    let open = invitations::for_user(pool, maya).await.map_err(|e| hosting(&e))?;
    if let Some(card) = open.first() {
        invitations::accept(pool, maya, &invitations::InvitationRef::Id(card.id))
            .await
            .map_err(|e| hosting(&e))?;
    }
    // A plan change, and an invitation still waiting.
    let blog = access::authorize(pool, &demo, AccountId::from(ids[1]))
        .await
        .map_err(|e| hosting(&e))?;
    let pro = sqlx::query_scalar!("SELECT id FROM plans WHERE code = 'pro'")
        .fetch_one(pool)
        .await?;
    accounts::change_plan(pool, &demo, &blog, pro)
        .await
        .map_err(|e| hosting(&e))?;
    let shop = access::authorize(pool, &demo, AccountId::from(ids[0]))
        .await
        .map_err(|e| hosting(&e))?;
    let designer = invitations::NewInvitation {
        email: Email::parse("designer@demo.ksfoundation.test")
            .map_err(|e| SeedError::Invalid(e.to_string()))?,
        role: MemberRole::Viewer,
    };
    invite(pool, links, &demo, &shop, &designer).await?;

    // Staff suspend one account, with a reason its owner sees.
    let staff_email = Email::parse(DEMO_LOGINS[1].email).map_err(|e| SeedError::Invalid(e.to_string()))?;
    if let Some(staff_id) = find_id_by_email(pool, &staff_email).await? {
        let staff = demo_actor(staff_id, staff_email.as_str(), "Demo Staff", Role::Staff);
        let (_, tours) = &others[2];
        let access = access::authorize(pool, &staff, AccountId::from(*tours))
            .await
            .map_err(|e| hosting(&e))?;
        crate::hosting::status::suspend(pool, &staff, &access, "Unpaid invoice")
            .await
            .map_err(|e| hosting(&e))?;
        seed_tickets(&demo_deps(pool, links), &demo, maya, &staff, ids[0]).await?;
    }
    let deps = demo_deps(pool, links);
    crate::dns::demo::seed(&deps, &deps.dns, &demo, &ids[..3])
        .await
        .map_err(|e| SeedError::Hosting(e.to_string()))?;
    Ok(())
}

/// Invites through the service (its emails wait in the outbox).
async fn invite(
    pool: &PgPool,
    links: &crate::identity::Links,
    actor: &crate::Actor,
    access: &crate::hosting::access::Access,
    invitation: &crate::hosting::invitations::NewInvitation,
) -> Result<(), SeedError> {
    let deps = demo_deps(pool, links);
    crate::hosting::invitations::invite(&deps, actor, access, invitation)
        .await
        .map_err(|e| SeedError::Hosting(e.to_string()))?;
    Ok(())
}
