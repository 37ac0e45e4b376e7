//! Invitations to hosting accounts, as the invitee sees them.

use leptos::prelude::*;

use crate::api::hosting::queries::{invitation_by_token, my_invitations};
use crate::api::hosting::{InvitationCard, InvitationState};
use crate::api::{current_user, require_user};
use crate::components::form::FormMessages;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::identity::query;
use domain::next_path::encode_query_value;

#[component]
fn Card(card: InvitationCard, token: Option<String>) -> impl IntoView {
    let what = format!(
        "{} invited {} to {} as {}.",
        card.inviter,
        card.email,
        card.account_name,
        card.role.label()
    );
    let accept = match card.state {
        InvitationState::Open => view! {
            <form method="post" action="/invitations/accept">
                {match token {
                    Some(t) => view! { <input type="hidden" name="token" value=t/> }.into_any(),
                    None => view! { <input type="hidden" name="invitation_id" value=card.id.clone()/> }.into_any(),
                }}
                <button class="btn btn-primary" type="submit">{format!("Accept and join {}", card.account_name)}</button>
            </form>
        }
        .into_any(),
        InvitationState::Expired => view! { <p class="form-error">"This invitation has expired. Ask for a new one."</p> }.into_any(),
        InvitationState::Used => view! { <p class="form-error">"This invitation was already used or withdrawn."</p> }.into_any(),
    };
    view! {
        <section class="card invitation-card">
            <h2>{card.account_name.clone()}</h2>
            <p>{what}</p>
            {accept}
        </section>
    }
}

/// Open invitations to the signed-in user's address.
#[component]
pub fn InvitationsPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let list = Resource::new(|| (), |_| my_invitations());
    view! {
        <PageHeader title="Invitations" subtitle="Hosting accounts you were invited to."/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(cards) if cards.is_empty() => view! {
                        <EmptyState title="No invitations"><p>"When someone invites your email address to a hosting account, it shows here."</p></EmptyState>
                    }.into_any(),
                    Ok(cards) => cards.into_iter().map(|card| view! { <Card card token=None/> }).collect_view().into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// The page an invitation email links to. Signed out: sign in or sign up
/// with the invited address first, then come back here.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let token = query("token").unwrap_or_default();
    let here = format!("/invitations/accept?token={token}");
    let signed_in = current_user().is_some();
    let invitation = Resource::new(move || token.clone(), invitation_by_token);
    view! {
        <PageHeader title="Invitation"/>
        <FormMessages/>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let here = here.clone();
                Suspend::new(async move {
                    match invitation.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(card) if signed_in => {
                            let token = query("token");
                            view! { <Card card token/> }.into_any()
                        }
                        Ok(card) => {
                            let next = encode_query_value(&here);
                            view! {
                                <section class="card invitation-card">
                                    <h2>{card.account_name.clone()}</h2>
                                    <p>{format!("{} invited {} to {} as {}.", card.inviter, card.email, card.account_name, card.role.label())}</p>
                                    <p>{format!("Sign in as {} to accept. New here? Create an account with that address; after confirming it you will find the invitation waiting.", card.email)}</p>
                                    <p>
                                        <a class="btn btn-primary" href=format!("/login?next={next}")>"Sign in to accept"</a>
                                        " "
                                        <a class="btn btn-secondary" href="/signup">"Create an account"</a>
                                    </p>
                                </section>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
