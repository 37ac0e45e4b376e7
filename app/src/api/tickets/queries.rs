//! Server functions of the support pages. Each authorises once; what a
//! customer may not see (internal notes, other tenants' tickets, the staff
//! queue) is decided by the services, never by the page.

use leptos::prelude::*;

use super::{TicketList, TicketView};
use crate::api::ApiError;
#[cfg(feature = "ssr")]
use {
    super::{convert, CustomerAccountRow, CustomerView},
    crate::api::edge::{auth::actor, error::api_error},
    services::tickets::{access, lists},
};

#[cfg(feature = "ssr")]
fn list(
    page: services::hosting::Page<lists::TicketSummary>,
    staff: bool,
    now: time::OffsetDateTime,
) -> TicketList {
    TicketList {
        items: page
            .items
            .into_iter()
            .map(|t| convert::row(t, staff, now))
            .collect(),
        page: page.page,
        has_next: page.has_next,
    }
}

/// The signed-in user's tickets (and their accounts' where their role
/// allows support): `filter` is active, done or all.
#[server(endpoint = "support/mine")]
pub async fn my_tickets(filter: String, page: i64) -> Result<TicketList, ApiError> {
    let (deps, actor) = actor()?;
    let rows = lists::mine(&deps.pool, &actor, lists::MineFilter::from_query(&filter), page)
        .await
        .map_err(api_error)?;
    Ok(list(rows, false, actor.now))
}

/// The staff queue with its filters (values as in the URL).
#[server(endpoint = "support/queue")]
pub async fn ticket_queue(
    state: String,
    priority: String,
    category: String,
    assignee: String,
    sort: String,
    q: String,
    page: i64,
) -> Result<TicketList, ApiError> {
    let (deps, actor) = actor()?;
    let args = super::QueueArgs {
        state,
        priority,
        category,
        assignee,
        sort,
        q,
        page,
    };
    queue(&deps, &actor, args).await
}

/// The queue for `args`: staff only (others are told it does not exist).
#[cfg(feature = "ssr")]
pub async fn queue(
    deps: &services::Deps,
    actor: &services::Actor,
    args: super::QueueArgs,
) -> Result<TicketList, ApiError> {
    use domain::tickets::{Category, Priority, TicketState};
    use lists::{AssigneeFilter, QueueFilter, QueueSort};
    if args.q.len() > 200 {
        return Err(api_error(services::tickets::ServiceError::Invalid(vec![(
            "q",
            "Search for at most 200 characters.".into(),
        )])));
    }
    let filter = QueueFilter {
        state: TicketState::parse(&args.state),
        active_only: args.state.is_empty() || args.state == "active",
        priority: Priority::parse(&args.priority),
        category: Category::parse(&args.category),
        assignee: match args.assignee.as_str() {
            "me" => AssigneeFilter::Me,
            "none" => AssigneeFilter::Unassigned,
            other => uuid::Uuid::parse_str(other).map_or(AssigneeFilter::Anyone, AssigneeFilter::User),
        },
        sort: QueueSort::from_query(&args.sort),
        text: args.q,
        page: args.page,
    };
    let rows = lists::queue(&deps.pool, actor, &filter)
        .await
        .map_err(api_error)?;
    Ok(list(rows, true, actor.now))
}

/// Everything a ticket page shows, after one access check.
#[server(endpoint = "support/ticket")]
pub async fn ticket_page(number: String) -> Result<TicketView, ApiError> {
    let (deps, actor) = actor()?;
    let pool = &deps.pool;
    let number = access::parse_number(&number).map_err(api_error)?;
    let access = access::authorize(pool, &actor, number).await.map_err(api_error)?;
    let detail = lists::detail(pool, &access).await.map_err(api_error)?;
    let (customer, staff_members) = if access.staff() {
        let c = lists::customer_context(pool, &access).await.map_err(api_error)?;
        let staff = lists::staff_members(pool).await.map_err(api_error)?;
        (
            Some(CustomerView {
                name: c.name,
                email: c.email,
                since: c.since.date().to_string(),
                accounts: c
                    .accounts
                    .into_iter()
                    .map(|a| CustomerAccountRow {
                        id: a.id.to_string(),
                        name: a.name,
                        plan: a.plan,
                        status: a.status,
                    })
                    .collect(),
                recent: c.recent,
            }),
            staff
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
        )
    } else {
        (None, Vec::new())
    };
    Ok(TicketView {
        thread: convert::thread(&detail, access.staff()),
        account: detail
            .account_id
            .zip(detail.account_name.clone())
            .map(|(id, name)| (id.to_string(), name)),
        author: detail.author_name.clone(),
        created: crate::api::when(detail.created_at),
        staff: access.staff(),
        is_author: detail.author_id == actor.id(),
        // Staff ids are for the staff's assignee choice only.
        assignee_id: detail
            .assignee_id
            .filter(|_| access.staff())
            .map(|id| id.to_string()),
        customer,
        staff_members,
    })
}

/// The hosting accounts a new ticket may be about: (id, name).
#[server(endpoint = "support/accounts")]
pub async fn ticket_accounts() -> Result<Vec<(String, String)>, ApiError> {
    let (deps, actor) = actor()?;
    Ok(lists::ticket_accounts(&deps.pool, &actor)
        .await
        .map_err(api_error)?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

/// What the new-ticket page says of the user's attachment quota (`None`
/// for staff, who are not limited).
#[server(endpoint = "support/attachment_use")]
pub async fn attachment_use() -> Result<Option<String>, ApiError> {
    let (deps, actor) = actor()?;
    let usage = services::tickets::quota::usage(&deps.pool, &deps.limits, &actor)
        .await
        .map_err(api_error)?;
    use services::tickets::quota::megabytes;
    Ok(usage.map(|(used, quota, verified)| {
        if verified {
            format!(
                "Your attachments use {} of {}.",
                megabytes(used),
                megabytes(quota)
            )
        } else {
            "Confirm your email address to attach files (use the link we emailed you).".to_string()
        }
    }))
}
