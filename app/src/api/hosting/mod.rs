//! Hosting accounts at the HTTP edge: what the pages receive (here), the
//! server functions that read it (`queries`), and the form endpoints
//! (`forms`). Each authorises once (`access::authorize`) and passes the
//! capability to the services.

#[cfg(feature = "ssr")]
pub mod forms;
pub mod queries;

use serde::{Deserialize, Serialize};

use domain::{AccountStatus, MemberRole};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
    pub plan: String,
    pub status: AccountStatus,
    pub role: Option<MemberRole>,
    pub created: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountList {
    pub items: Vec<AccountRow>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanOption {
    pub id: String,
    pub name: String,
    /// "50 GB storage, 500 GB bandwidth, 10 sites — 14.99 EUR / month"
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: MemberRole,
    pub me: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InvitationRow {
    pub id: String,
    pub email: String,
    pub role: MemberRole,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeedRow {
    pub account_id: String,
    pub account_name: String,
    pub sentence: String,
    pub when: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeedPage {
    pub items: Vec<FeedRow>,
    pub page: i64,
    pub has_next: bool,
}

/// Usage against a quota, ready to draw.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meter {
    pub used: String,
    pub quota: String,
    /// 0–100 (capped) for the bar; the text says the real figure.
    pub percent: u8,
    pub over: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
    pub region: String,
    pub region_label: String,
    pub status: AccountStatus,
    pub suspended_reason: Option<String>,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_price: String,
    pub max_sites: i32,
    pub created: String,
    pub storage: Meter,
    pub bandwidth: Meter,
    pub last_sample: Option<String>,
    pub my_role: Option<MemberRole>,
    pub staff: bool,
    pub can_edit: bool,
    pub can_change_plan: bool,
    pub can_manage_members: bool,
    pub can_cancel: bool,
    pub can_transfer: bool,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    pub feed: FeedPage,
    pub plans: Vec<PlanOption>,
    /// The hosting node serving its site (None: waiting for one with room).
    pub node: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InvitationCard {
    pub id: String,
    pub account_name: String,
    pub inviter: String,
    pub email: String,
    pub role: MemberRole,
    pub state: InvitationState,
}

/// Whether an invitation can still be accepted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum InvitationState {
    Open,
    Expired,
    Used,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use services::hosting::{feed::FeedEntry, plans::Plan, usage::format_bytes, Page};

    pub fn plan_option(p: &Plan) -> PlanOption {
        PlanOption {
            id: p.id.to_string(),
            name: p.name.clone(),
            summary: format!(
                "{} storage, {} bandwidth a month, {} site{} — {} / month",
                format_bytes(p.storage_quota_bytes),
                format_bytes(p.bandwidth_quota_bytes),
                p.max_sites,
                if p.max_sites == 1 { "" } else { "s" },
                services::hosting::plans::format_price(p.price_minor, &p.currency)
            ),
        }
    }

    pub fn meter(used: i64, quota: i64) -> Meter {
        let ratio = if quota > 0 {
            used as f64 / quota as f64
        } else {
            0.0
        };
        Meter {
            used: format_bytes(used),
            quota: format_bytes(quota),
            percent: (ratio * 100.0).clamp(0.0, 100.0).round() as u8,
            over: used > quota,
        }
    }

    pub fn feed(page: Page<FeedEntry>) -> FeedPage {
        FeedPage {
            items: page
                .items
                .into_iter()
                .map(|e| FeedRow {
                    account_id: e.account_id.to_string(),
                    account_name: e.account_name,
                    sentence: e.sentence,
                    when: crate::api::when(e.at),
                })
                .collect(),
            page: page.page,
            has_next: page.has_next,
        }
    }

    pub fn invitation(v: services::hosting::invitations::InvitationView) -> InvitationCard {
        use services::hosting::invitations::InvitationState as S;
        InvitationCard {
            id: v.id.to_string(),
            account_name: v.account_name,
            inviter: v.inviter,
            email: v.email,
            role: v.role,
            state: match v.state {
                S::Open => InvitationState::Open,
                S::Expired => InvitationState::Expired,
                S::Used => InvitationState::Used,
            },
        }
    }
}
