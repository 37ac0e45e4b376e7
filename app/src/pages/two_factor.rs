//! Settings → two-factor authentication: set up with an authenticator app,
//! recovery codes (shown once), regenerate, turn off.

use leptos::prelude::*;

use crate::api::require_user;
use crate::api::two_factor::{two_factor_overview, PendingEnrolment, RecoveryCodes, TwoFactorSettings};
use crate::components::form::{Field, FormMessages};
use crate::components::page_header::PageHeader;
use crate::components::step_up::StepUpGate;
use crate::components::toast::Toast;
use crate::islands::copy_button::CopyButton;
use crate::pages::identity::query;

const PAGE: &str = "/settings/two-factor";

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let new_codes = use_context::<RecoveryCodes>();
    let overview = Resource::new(|| (), |_| two_factor_overview());
    let required = query("required").is_some();
    view! {
        <PageHeader title="Two-factor authentication" subtitle="A code from your phone after your password."/>
        {required.then(|| view! {
            <p class="form-notice" role="status">"Staff accounts must use two-factor authentication. Set it up to continue."</p>
        })}
        <p><a href="/settings">"← Back to settings"</a></p>
        <FormMessages/>
        {match new_codes {
            Some(RecoveryCodes(codes)) => view! { <NewRecoveryCodes codes/> }.into_any(),
            None => view! {
                <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                            Ok(o) => view! { <Overview overview=o/> }.into_any(),
                        }
                    })}
                </Suspense>
            }.into_any(),
        }}
    }
    .into_any()
}

#[component]
fn Overview(overview: TwoFactorSettings) -> impl IntoView {
    if overview.enabled {
        return view! { <Enabled overview/> }.into_any();
    }
    let fresh = overview.recently_confirmed;
    match overview.enrolment {
        Some(enrolment) if fresh => view! { <Enrol enrolment/> }.into_any(),
        _ => view! {
            <section class="card">
                <h2>"Not set up"</h2>
                <p>"With two-factor authentication, signing in needs your password and a 6-digit code from an authenticator app on your phone (such as 1Password, Google Authenticator, Authy or Aegis). Someone who learns your password still cannot get in."</p>
                <StepUpGate fresh back=PAGE what="set up two-factor authentication">
                    <form class="form" method="post" action="/settings/two-factor/start">
                        <button class="btn btn-primary" type="submit">"Set up two-factor authentication"</button>
                    </form>
                </StepUpGate>
            </section>
        }.into_any(),
    }
}

/// Secrets read in groups of four, as authenticator apps show them.
fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
fn Enrol(enrolment: PendingEnrolment) -> impl IntoView {
    view! {
        <section class="card two-factor-enrol">
            <h2>"1. Add your account to an authenticator app"</h2>
            <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=enrolment.qr_svg></div>
            <p>"Scan the QR code with the app. Can't scan it? Enter this key instead (time-based, 6 digits, every 30 seconds):"</p>
            <p><code class="secret" data-secret=enrolment.secret.clone()>{grouped(&enrolment.secret)}</code></p>
            <p><a href=enrolment.otpauth_url>"Open in an authenticator app on this device"</a></p>
        </section>
        <section class="card">
            <h2>"2. Enter the code the app shows"</h2>
            <form class="form" method="post" action="/settings/two-factor/enable">
                <Field label="6-digit code" name="code" autocomplete="one-time-code" hint="Two-factor turns on only once this code is right."/>
                <button class="btn btn-primary" type="submit">"Turn on two-factor"</button>
            </form>
            <form class="form" method="post" action="/settings/two-factor/start">
                <button class="btn btn-secondary" type="submit">"Start over with a new key"</button>
            </form>
        </section>
    }
}

#[component]
fn Enabled(overview: TwoFactorSettings) -> impl IntoView {
    let left = overview.recovery_codes_left;
    view! {
        <section class="card">
            <h2>"Two-factor authentication is " <span class="badge badge-success">"On"</span></h2>
            <p>"Signing in needs a code from your authenticator app after your password."</p>
        </section>
        <section class="card">
            <h2>"Recovery codes"</h2>
            <p>
                {format!("{left} of 10 unused. ")}
                "Each works once, in place of a code, if you lose your phone."
            </p>
            {(left <= 3).then(|| view! { <p class="form-error" role="alert">"You are running out of recovery codes: make new ones."</p> })}
            <StepUpGate fresh=overview.recently_confirmed back=PAGE what="make new recovery codes">
                <form class="form" method="post" action="/settings/two-factor/recovery-codes">
                    <p class="hint">"New codes replace all the old ones, used or not."</p>
                    <button class="btn btn-secondary" type="submit">"Make new recovery codes"</button>
                </form>
            </StepUpGate>
        </section>
        <section class="card danger-zone">
            <h2>"Turn off two-factor"</h2>
            <p>"Signing in will need only your password. Your other sessions will be signed out."</p>
            <form class="form" method="post" action="/settings/two-factor/disable">
                <Field label="Password" name="disable_password" kind="password" autocomplete="current-password"/>
                <Field label="Code from your app, or a recovery code" name="disable_code" autocomplete="one-time-code"/>
                <button class="btn btn-danger" type="submit">"Turn off two-factor"</button>
            </form>
        </section>
    }
}

#[component]
fn NewRecoveryCodes(codes: Vec<String>) -> impl IntoView {
    let text = format!(
        "{} recovery codes. Each works once.\n\n{}\n",
        crate::PRODUCT_NAME,
        codes.join("\n")
    );
    let download = format!("data:text/plain;charset=utf-8,{}", encode_data(&text));
    view! {
        <Toast message="Two-factor authentication is on, with new recovery codes.".to_string() tone="success".to_string()/>
        <section class="card recovery-codes">
            <h2>"Save your recovery codes"</h2>
            <p>"If you lose your phone, each of these codes signs you in once. Keep them somewhere safe, such as a password manager. "
               <strong>"This is the only time they are shown."</strong></p>
            <ol class="codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
            <p class="actions">
                <a class="btn btn-secondary" href=download download="ksfoundation-recovery-codes.txt">"Download"</a>
                " "
                <CopyButton text=text.clone() label="Copy".to_string()/>
            </p>
            <p><a class="btn btn-primary" href=PAGE>"I saved them"</a></p>
        </section>
    }
}

/// Percent-encodes text for a `data:` URL.
fn encode_data(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
