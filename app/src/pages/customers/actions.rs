//! What staff can do for a customer from their page, each form behind a
//! second step with a reason (kept in the audit). Forms the viewer's role
//! does not allow are not offered (the services refuse them anyway).

use leptos::prelude::*;

use crate::api::customers::ResetLine;
use crate::components::form::use_form;
use domain::customers::IDENTITY_CHECKS;

/// The reason field of form `which`; the form that failed gets its typed
/// text and error back.
fn reason_field(which: &'static str, hint: &'static str) -> impl IntoView {
    let form = use_form();
    let mine = form.value("action") == which;
    let id = format!("f-reason-{which}");
    let error = if mine { form.error("reason") } else { None };
    view! {
        <input type="hidden" name="action" value=which/>
        <div class="field">
            <label for=id.clone()>"Reason"</label>
            <input class="input" id=id.clone() name="reason" required=true maxlength="500"
                value=if mine { form.value("reason") } else { String::new() }
                aria-invalid=error.is_some().then_some("true") aria-describedby=format!("{id}-hint")/>
            <p class="muted" id=format!("{id}-hint")>{hint}</p>
            {error.map(|e| view! { <p class="error" id=format!("{id}-error") role="alert">{e}</p> })}
        </div>
    }
}

/// Whether form `which` failed (it opens again with its error).
fn opened(which: &str) -> bool {
    let form = use_form();
    form.value("action") == which && (!form.errors.is_empty() || form.message.is_some())
}

#[component]
#[allow(clippy::too_many_arguments)]
pub(super) fn Actions(
    base: String,
    locked: bool,
    verified: bool,
    two_factor: bool,
    reset: Option<ResetLine>,
    may_support: bool,
    may_view_as: bool,
    may_reset: bool,
) -> impl IntoView {
    if !(may_support || may_view_as || may_reset) {
        return view! {
            <section class="card staff-actions">
                <h2>"Actions"</h2>
                <p class="muted">"Your staff role can look but not act. An admin can change roles on the Team page."</p>
            </section>
        }
        .into_any();
    }
    let form = use_form();
    let email_error = (form.value("action") == "change_email")
        .then(|| form.error("new_email"))
        .flatten();
    view! {
        <section class="card staff-actions">
            <h2>"Actions"</h2>
            {may_view_as.then(|| view! {
                <details class="confirm" open=opened("view_as")>
                    <summary class="btn btn-secondary">"View as customer…"</summary>
                    <form class="form" method="post" action=format!("{base}/view-as") data-full-page="">
                        <p>"See the portal as they see it for 15 minutes. Nothing can be changed while viewing; they see in their activity that support viewed their account."</p>
                        {reason_field("view_as", "Kept in the audit, e.g. the ticket you are working on.")}
                        <button class="btn btn-primary" type="submit">"View as customer"</button>
                    </form>
                </details>
            })}
            {may_support.then(|| view! {
                {if locked {
                    view! {
                        <details class="confirm" open=opened("unlock")>
                            <summary class="btn btn-secondary">"Unlock…"</summary>
                            <form class="form" method="post" action=format!("{base}/unlock") data-full-page="">
                                {reason_field("unlock", "Kept with the action in the audit.")}
                                <button class="btn btn-primary" type="submit">"Unlock the user"</button>
                            </form>
                        </details>
                    }.into_any()
                } else {
                    view! {
                        <details class="confirm" open=opened("lock")>
                            <summary class="btn btn-danger">"Lock…"</summary>
                            <form class="form" method="post" action=format!("{base}/lock") data-full-page="">
                                <p>"They cannot sign in and every session ends at once; we email them to contact support. Their sites and domains keep working."</p>
                                {reason_field("lock", "Kept with the action in the audit; not sent to the customer.")}
                                <button class="btn btn-danger" type="submit">"Lock the user"</button>
                            </form>
                        </details>
                    }.into_any()
                }}
                <details class="confirm" open=opened("end_sessions")>
                    <summary class="btn btn-secondary">"End all sessions…"</summary>
                    <form class="form" method="post" action=format!("{base}/sessions/end") data-full-page="">
                        <p>"Every device they are signed in on is signed out."</p>
                        {reason_field("end_sessions", "Kept with the action in the audit.")}
                        <button class="btn btn-danger" type="submit">"End all sessions"</button>
                    </form>
                </details>
                {(!verified).then(|| view! {
                    <details class="confirm" open=opened("resend_verification")>
                        <summary class="btn btn-secondary">"Resend verification…"</summary>
                        <form class="form" method="post" action=format!("{base}/verification") data-full-page="">
                            <p>"They get a new link to confirm their address; earlier links stop working."</p>
                            {reason_field("resend_verification", "Kept with the action in the audit.")}
                            <button class="btn btn-primary" type="submit">"Send a new link"</button>
                        </form>
                    </details>
                })}
                <details class="confirm" open=opened("export")>
                    <summary class="btn btn-secondary">"Prepare their data…"</summary>
                    <form class="form" method="post" action=format!("{base}/export") data-full-page="">
                        <p>"A copy of their data (GDPR access request) is prepared and the download link is emailed to them; it works for 24 hours once they are signed in."</p>
                        {reason_field("export", "Kept in the audit, e.g. the ticket with their request.")}
                        <button class="btn btn-primary" type="submit">"Prepare their data"</button>
                    </form>
                </details>
                <details class="confirm" open=opened("change_email")>
                    <summary class="btn btn-secondary">"Change email…"</summary>
                    <form class="form" method="post" action=format!("{base}/email") data-full-page="">
                        <p>"The new address gets a link to confirm the change; nothing changes until it is used. The current address is told."</p>
                        <div class="field">
                            <label for="f-new_email">"New email address"</label>
                            <input class="input" id="f-new_email" name="new_email" type="email" required=true maxlength="254"
                                value=if form.value("action") == "change_email" { form.value("new_email") } else { String::new() }
                                aria-invalid=email_error.is_some().then_some("true")/>
                            {email_error.clone().map(|e| view! { <p class="error" id="f-new_email-error" role="alert">{e}</p> })}
                        </div>
                        {reason_field("change_email", "Kept with the action in the audit.")}
                        <button class="btn btn-primary" type="submit">"Send the confirmation link"</button>
                    </form>
                </details>
            })}
            {may_reset.then(|| view! { <TwoFactorReset base=base.clone() two_factor reset/> })}
        </section>
    }
    .into_any()
}

/// Ask for a reset with the identity checks made; or, when one waits,
/// approve it (another staff member) or cancel it.
#[component]
fn TwoFactorReset(base: String, two_factor: bool, reset: Option<ResetLine>) -> impl IntoView {
    let form = use_form();
    let customer = base.trim_start_matches("/staff/customers/").to_string();
    if let Some(r) = reset {
        return view! {
            <div class="card-inset two-factor-reset" data-testid="reset-waiting">
                <h3>"Two-factor reset waiting for approval"</h3>
                <p>{r.asked.clone()} ": " {r.reason.clone()}</p>
                <ul class="plain-list">{r.checks.iter().map(|c| view! { <li>"✓ " {c.clone()}</li> }).collect_view()}</ul>
                {if r.mine {
                    view! { <p class="muted">"You asked for this reset: another staff member must approve it."</p> }.into_any()
                } else {
                    view! {
                        <details class="confirm">
                            <summary class="btn btn-danger">"Approve the reset…"</summary>
                            <form class="form" method="post" action=format!("/staff/two-factor-resets/{}/approve", r.id) data-full-page="">
                                <input type="hidden" name="customer" value=customer.clone()/>
                                <p>"Two-factor and its recovery codes are removed, every session ends, and the customer is emailed. Approve only if the checks above convince you too."</p>
                                <button class="btn btn-danger" type="submit">"Approve and reset two-factor"</button>
                            </form>
                        </details>
                    }.into_any()
                }}
                <details class="confirm" open=opened("cancel_reset")>
                    <summary class="btn btn-secondary">"Cancel the reset…"</summary>
                    <form class="form" method="post" action=format!("/staff/two-factor-resets/{}/cancel", r.id) data-full-page="">
                        <input type="hidden" name="customer" value=customer.clone()/>
                        {reason_field("cancel_reset", "Kept with the action in the audit.")}
                        <button class="btn btn-secondary" type="submit">"Cancel the reset"</button>
                    </form>
                </details>
            </div>
        }
        .into_any();
    }
    if !two_factor {
        return ().into_any();
    }
    let mine = form.value("action") == "reset_two_factor";
    let ticked = form.value("checks");
    let checks_error = if mine { form.error("checks") } else { None };
    let described = checks_error.is_some().then_some("f-checks-error");
    view! {
        <details class="confirm" open=opened("reset_two_factor")>
            <summary class="btn btn-danger">"Reset two-factor…"</summary>
            <form class="form" method="post" action=format!("{base}/two-factor-reset") data-full-page="">
                <p>"For a customer who lost their authenticator and recovery codes. Another staff member must approve before anything changes."</p>
                <fieldset class="reset-checks" aria-describedby=described>
                    <legend>"Identity checks you made (at least 2)"</legend>
                    {IDENTITY_CHECKS.iter().map(|(key, label)| {
                        let on = mine && ticked.split(' ').any(|t| t == *key);
                        view! {
                            <label><input type="checkbox" name="checks" value=*key checked=on/>{*label}</label>
                        }
                    }).collect_view()}
                    {checks_error.map(|e| view! { <p class="error" id="f-checks-error" role="alert">{e}</p> })}
                </fieldset>
                {reason_field("reset_two_factor", "Kept with the request; the approver reads it.")}
                <button class="btn btn-danger" type="submit">"Ask for approval"</button>
            </form>
        </details>
    }
    .into_any()
}
