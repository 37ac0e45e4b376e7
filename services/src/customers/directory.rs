//! The directory's search: which customers, in which order, a page at a
//! time.
//!
//! A word that matches most customers and one that matches a handful need
//! opposite plans, so the search tries the cheap one first: it takes the
//! first customers in the page's order and tests each (`window`); only
//! when too few of them match does it collect every match through the
//! search indexes (`everyone_matching`), which is cheap exactly when
//! matches are rare. The SQL holds only the filters that are on, and is
//! planned for each search, so each plan fits what was asked.

use domain::StaffPermission;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::{CustomerRow, Found, Search, Sort, MAX_PAGE, PAGE_SIZE};
use crate::failure::ServiceError;
use crate::hosting::access::require_staff;
use crate::Actor;

/// What was typed, in the forms the match compares.
struct Text {
    typed: String,
    like: String,
    ticket: Option<i64>,
}

/// The customers matching `search`, a page at a time.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn search(pool: &PgPool, actor: &Actor, search: &Search) -> Result<Found, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    let typed = crate::search::typed(&search.text, 100);
    let page = search.page.clamp(1, MAX_PAGE);
    let offset = (page - 1) * PAGE_SIZE;
    let ids = if typed.is_empty() {
        let mut q = QueryBuilder::<Postgres>::new("SELECT u.id FROM users u");
        push_filters(&mut q, search);
        push_page(&mut q, search.sort, offset);
        q.build_query_scalar::<Uuid>()
            .persistent(false)
            .fetch_all(pool)
            .await?
    } else {
        let text = Text {
            // "#1042" and "1042" both find ticket 1042.
            ticket: typed.trim_start_matches('#').parse::<i64>().ok(),
            like: crate::search::contains(&typed),
            typed,
        };
        match window(pool, search, &text, offset).await? {
            Some(ids) => ids,
            None => everyone_matching(pool, search, &text, offset).await?,
        }
    };
    // One more than a page says whether there is a next one.
    let has_next = ids.len() as i64 > PAGE_SIZE && page < MAX_PAGE;
    let ids: Vec<Uuid> = ids.into_iter().take(PAGE_SIZE as usize).collect();
    Ok(Found {
        rows: rows(pool, &ids).await?,
        has_next,
    })
}

/// The page, when looking at the first customers in the page's order
/// settles it: enough of them matched, or there was nobody else to look
/// at. `None` sends the search to the indexes.
async fn window(
    pool: &PgPool,
    search: &Search,
    text: &Text,
    offset: i64,
) -> Result<Option<Vec<Uuid>>, ServiceError> {
    let wanted = offset + PAGE_SIZE + 1;
    // Four looked at per match wanted: a word that finds fewer than one
    // customer in four is cheaper to find through the indexes.
    let size = (wanted * 4).max(500);
    // The match is in the select list, so it is tested on the window's
    // rows only, each test stopping at the first way that matches.
    let mut q = QueryBuilder::<Postgres>::new("SELECT u.id, ");
    push_match(&mut q, text);
    q.push(" FROM users u");
    push_filters(&mut q, search);
    q.push(" ORDER BY ").push(order(search.sort));
    q.push(" LIMIT ").push_bind(size);
    let looked: Vec<(Uuid, bool)> = q.build_query_as().persistent(false).fetch_all(pool).await?;
    let everyone = (looked.len() as i64) < size;
    let hits: Vec<Uuid> = looked
        .into_iter()
        .filter_map(|(id, hit)| hit.then_some(id))
        .take(wanted as usize)
        .collect();
    Ok((everyone || hits.len() as i64 == wanted).then(|| hits.into_iter().skip(offset as usize).collect()))
}

/// The page out of every match, each way of finding someone on its own
/// index.
async fn everyone_matching(
    pool: &PgPool,
    search: &Search,
    text: &Text,
    offset: i64,
) -> Result<Vec<Uuid>, ServiceError> {
    let mut q = QueryBuilder::<Postgres>::new("WITH hits AS (SELECT id FROM users WHERE lower(email) LIKE ");
    q.push_bind(&text.like);
    q.push(" UNION SELECT id FROM users WHERE lower(display_name) LIKE ")
        .push_bind(&text.like);
    q.push(
        " UNION SELECT m.user_id FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id
          WHERE lower(a.name) LIKE ",
    )
    .push_bind(&text.like);
    q.push(
        " UNION SELECT m.user_id FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id
          WHERE a.primary_domain LIKE ",
    )
    .push_bind(&text.like);
    q.push(
        " UNION SELECT m.user_id FROM domains d JOIN hosting_members m ON m.account_id = d.account_id
          WHERE d.name LIKE ",
    )
    .push_bind(&text.like);
    q.push(
        " UNION SELECT m.user_id FROM invoices i JOIN hosting_members m ON m.account_id = i.account_id
          WHERE m.role = 'owner' AND lower(i.number) = ",
    )
    .push_bind(&text.typed);
    q.push(" UNION SELECT user_id FROM billing_customers WHERE lower(stripe_customer_id) = ")
        .push_bind(&text.typed);
    if let Some(ticket) = text.ticket {
        q.push(" UNION SELECT author_id FROM tickets WHERE number = ")
            .push_bind(ticket);
    }
    q.push(") SELECT u.id FROM users u");
    push_filters(&mut q, search);
    q.push(" AND u.id IN (SELECT id FROM hits)");
    push_page(&mut q, search.sort, offset);
    Ok(q.build_query_scalar().persistent(false).fetch_all(pool).await?)
}

/// Whether customer `u` matches the text, the cheap ways first. Each
/// `EXISTS` ends in `OFFSET 0` so that it stays a lookup on this
/// customer's own rows: without it the planner may first gather every
/// match in the table, which is what a common word makes slow.
fn push_match(q: &mut QueryBuilder<'_, Postgres>, text: &Text) {
    q.push("(lower(u.email) LIKE ").push_bind(text.like.clone());
    q.push(" OR lower(u.display_name) LIKE ")
        .push_bind(text.like.clone());
    q.push(
        " OR EXISTS (SELECT 1 FROM hosting_members m JOIN hosting_accounts a ON a.id = m.account_id
                     WHERE m.user_id = u.id AND (lower(a.name) LIKE ",
    )
    .push_bind(text.like.clone());
    q.push(" OR a.primary_domain LIKE ").push_bind(text.like.clone());
    q.push(
        ") OFFSET 0) OR EXISTS (SELECT 1 FROM hosting_members m JOIN domains d ON d.account_id = m.account_id
                       WHERE m.user_id = u.id AND d.name LIKE ",
    )
    .push_bind(text.like.clone());
    q.push(
        " OFFSET 0) OR EXISTS (SELECT 1 FROM hosting_members m JOIN invoices i ON i.account_id = m.account_id
                      WHERE m.user_id = u.id AND m.role = 'owner' AND lower(i.number) = ",
    )
    .push_bind(text.typed.clone());
    q.push(
        " OFFSET 0) OR EXISTS (SELECT 1 FROM billing_customers b WHERE b.user_id = u.id
                      AND lower(b.stripe_customer_id) = ",
    )
    .push_bind(text.typed.clone());
    q.push(" OFFSET 0)");
    if let Some(ticket) = text.ticket {
        q.push(" OR EXISTS (SELECT 1 FROM tickets t WHERE t.author_id = u.id AND t.number = ")
            .push_bind(ticket)
            .push(" OFFSET 0)");
    }
    q.push(")");
}

/// `WHERE` with the filters that are on.
fn push_filters(q: &mut QueryBuilder<'_, Postgres>, search: &Search) {
    q.push(" WHERE u.role = 'customer'");
    match search.verified {
        Some(true) => q.push(" AND u.email_verified_at IS NOT NULL"),
        Some(false) => q.push(" AND u.email_verified_at IS NULL"),
        None => q,
    };
    if search.two_factor {
        q.push(
            " AND EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)",
        );
    }
    if search.locked {
        q.push(" AND u.locked_at IS NOT NULL");
    }
    if search.unpaid {
        q.push(UNPAID);
    }
    if let Some(from) = search.created_from {
        q.push(" AND u.created_at >= ").push_bind(from).push("::date");
    }
    if let Some(to) = search.created_to {
        q.push(" AND u.created_at < ").push_bind(to).push("::date + 1");
    }
}

/// An open invoice on an account they own.
const UNPAID: &str =
    " AND EXISTS (SELECT 1 FROM hosting_members m JOIN invoices i ON i.account_id = m.account_id
                      WHERE m.user_id = u.id AND m.role = 'owner' AND i.status = 'open')";

fn push_page(q: &mut QueryBuilder<'_, Postgres>, sort: Sort, offset: i64) {
    q.push(" ORDER BY ").push(order(sort));
    q.push(" LIMIT ").push_bind(PAGE_SIZE + 1);
    q.push(" OFFSET ").push_bind(offset);
}

/// Each order an index reads as it is (email is unique).
fn order(sort: Sort) -> &'static str {
    match sort {
        Sort::Newest => "u.created_at DESC, u.id DESC",
        Sort::Oldest => "u.created_at, u.id",
        Sort::Name => "lower(u.display_name), u.id",
        Sort::Email => "lower(u.email)",
    }
}

/// The page's lines, in the order of `ids`.
async fn rows(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<CustomerRow>, ServiceError> {
    let mut rows = sqlx::query_as!(
        CustomerRow,
        r#"SELECT u.id, u.email, u.display_name, u.created_at,
                  u.email_verified_at IS NOT NULL AS "verified!",
                  EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL)
                      AS "two_factor!",
                  u.locked_at IS NOT NULL AS "locked!",
                  (SELECT count(*) FROM hosting_members m WHERE m.user_id = u.id) AS "accounts!",
                  EXISTS (SELECT 1 FROM hosting_members m JOIN invoices i ON i.account_id = m.account_id
                          WHERE m.user_id = u.id AND m.role = 'owner' AND i.status = 'open') AS "unpaid!"
           FROM users u WHERE u.id = ANY($1)"#,
        ids
    )
    .fetch_all(pool)
    .await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}
