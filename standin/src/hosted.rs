//! The pages Stripe hosts, in test form: checkout, the billing portal and
//! an invoice's page (with its PDF). Each says it takes test cards only.

use axum::{
    extract::{Path, State},
    http::header,
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
    Form, Router,
};
use serde::Deserialize;
use serde_json::Value;

use super::store::Card;
use super::Standin;

pub fn routes() -> Router<Standin> {
    Router::new()
        .route("/c/pay/{id}", get(checkout_page).post(pay_checkout))
        .route("/p/session/{id}", get(portal_page))
        .route(
            "/p/session/{id}/subscription",
            axum::routing::post(portal_subscription),
        )
        .route("/p/session/{id}/card", axum::routing::post(portal_card))
        .route("/i/{id}", get(invoice_page).post(pay_invoice))
        .route("/i/{id}/pdf", get(invoice_pdf))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An amount in its currency's major units (no decimals for zero-decimal currencies).
pub fn money(minor: i64, currency: &str) -> String {
    let c = currency.to_ascii_uppercase();
    if ["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"].contains(&c.as_str()) {
        format!("{minor} {c}")
    } else {
        let sign = if minor < 0 { "-" } else { "" };
        format!("{sign}{}.{:02} {c}", minor.abs() / 100, minor.abs() % 100)
    }
}

fn date(ts: &Value) -> String {
    ts.as_i64()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|d| d.date().to_string())
        .unwrap_or_else(|| "—".into())
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Stripe stand-in</title><link rel="icon" href="data:,"><style>
body{{font-family:system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1a1f36}}
.test{{background:#ffde92;color:#5c3c00;padding:.6rem 1rem;text-align:center;font-weight:600}}
main{{max-width:32rem;margin:1.5rem auto;padding:0 1rem}}
.card{{background:#fff;border:1px solid #e3e8ee;border-radius:8px;padding:1.25rem;margin-bottom:1rem}}
label{{display:block;margin:.75rem 0 .25rem;font-weight:600}} input{{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem}}
button{{margin-top:1rem;width:100%;padding:.75rem;font-size:1rem;background:#635bff;color:#fff;border:0;border-radius:6px}}
.error{{color:#b3093c;font-weight:600}} .muted{{color:#5e6a7d}} .row{{display:flex;justify-content:space-between;gap:1rem}}
</style></head><body><div class="test" role="note">Test mode: Stripe stand-in. Test payments, no real money.</div><main>{body}</main></body></html>"#,
        title = esc(title)
    ))
}

#[derive(Deserialize)]
struct CardForm {
    #[serde(default)]
    card: String,
    #[serde(default)]
    email: String,
}

fn last4(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].to_string()
}

fn checkout_html(standin: &Standin, id: &str, error: Option<&str>) -> Response {
    let Some((session, price)) = standin.read(|s| {
        let session = s.sessions.get(id)?.clone();
        let price = session["customer"]
            .as_str()
            .and_then(|c| s.customers.get(c))
            .map(|c| c["email"].as_str().unwrap_or("").to_string());
        Some((session, price.unwrap_or_default()))
    }) else {
        return page("Not found", "<h1>This checkout session does not exist.</h1>").into_response();
    };
    if session["status"] != "open" {
        return page("Paid", "<h1>This checkout session is complete.</h1>").into_response();
    }
    let amount = money(
        session["amount_total"].as_i64().unwrap_or(0),
        session["currency"].as_str().unwrap_or("usd"),
    );
    let cancel = session["cancel_url"]
        .as_str()
        .map(|u| format!(r#"<p><a href="{}">← Back without paying</a></p>"#, esc(u)))
        .unwrap_or_default();
    let error = error
        .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let what = if session["mode"] == "payment" {
        format!(
            r#"<h1>Pay</h1><p class="row"><span>{}</span><strong>{amount}</strong></p>"#,
            esc(session["line_items_description"]
                .as_str()
                .unwrap_or("One-time payment"))
        )
    } else {
        format!(
            r#"<h1>Subscribe</h1><p class="row"><span>Monthly</span><strong>{amount} / month</strong></p>"#
        )
    };
    let body = format!(
        r#"{cancel}<div class="card">{what}</div>
<form class="card" method="post"><h2>Pay with card</h2>{error}
<label for="email">Email</label><input id="email" name="email" value="{email}" autocomplete="email">
<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242">
<p class="muted">4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0027 6000 3184 pays here but declines later charges made without you. Any future expiry and CVC.</p>
<label for="exp">Expiry</label><input id="exp" name="exp" placeholder="12 / 34">
<label for="cvc">CVC</label><input id="cvc" name="cvc" placeholder="123">
<button type="submit">Pay {amount}</button></form>"#,
        email = esc(&price)
    );
    page("Checkout", &body).into_response()
}

async fn checkout_page(State(s): State<Standin>, Path(id): Path<String>) -> Response {
    checkout_html(&s, &id, None)
}

async fn pay_checkout(
    State(s): State<Standin>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let _ = form.email;
    let card = match Card::parse(&form.card) {
        Ok(card) => card,
        Err(message) => return checkout_html(&s, &id, Some(message)),
    };
    let last4 = last4(&form.card);
    match s.change(|store| store.pay_session(&id, card, &last4, 0)) {
        Ok(success) => Redirect::to(&success).into_response(),
        Err(message) => checkout_html(&s, &id, Some(&message)),
    }
}

async fn portal_page(State(s): State<Standin>, Path(id): Path<String>) -> Response {
    let view = s.read(|store| {
        let session = store.portal_sessions.get(&id)?.clone();
        let customer = session["customer"].as_str()?.to_string();
        let mut subs: Vec<Value> = store
            .subscriptions
            .values()
            .filter(|sub| sub["customer"] == customer.as_str())
            .cloned()
            .collect();
        subs.sort_by_key(|sub| sub["created"].as_i64());
        let card = store
            .payment_methods
            .values()
            .find(|pm| pm["customer"] == customer.as_str())
            .and_then(|pm| pm["card"]["last4"].as_str().map(str::to_string));
        let can_cancel = store.portal_allows(&session, "subscription_cancel");
        Some((session, subs, card, can_cancel))
    });
    let Some((session, subs, card, can_cancel)) = view else {
        return page("Not found", "<h1>This portal session does not exist.</h1>").into_response();
    };
    let back = session["return_url"]
        .as_str()
        .map(|u| format!(r#"<p><a href="{}">← Return to the portal</a></p>"#, esc(u)))
        .unwrap_or_default();
    let mut rows = String::new();
    for sub in &subs {
        let item = &sub["items"]["data"][0];
        let amount = money(
            item["price"]["unit_amount"].as_i64().unwrap_or(0),
            sub["currency"].as_str().unwrap_or("usd"),
        );
        let status = sub["status"].as_str().unwrap_or("");
        let ends = sub["cancel_at_period_end"] == true;
        let action = if status == "canceled" || !can_cancel {
            String::new()
        } else {
            format!(
                r#"<form method="post" action="/p/session/{id}/subscription"><input type="hidden" name="subscription" value="{sid}"><input type="hidden" name="cancel" value="{flag}"><button type="submit">{label}</button></form>"#,
                sid = esc(sub["id"].as_str().unwrap_or("")),
                flag = !ends,
                label = if ends {
                    "Don't cancel"
                } else {
                    "Cancel at period end"
                }
            )
        };
        rows.push_str(&format!(
            r#"<div class="card"><p class="row"><strong>{amount} / month</strong><span>{status}{note}</span></p><p class="muted">Period ends {end}. {account}</p>{action}</div>"#,
            status = esc(status),
            note = if ends { " · cancels at period end" } else { "" },
            end = date(&item["current_period_end"]),
            account = esc(sub["metadata"]["account_name"].as_str().unwrap_or("")),
        ));
    }
    let card = card.map_or("No card on file.".to_string(), |l| {
        format!("Card ending in {}", esc(&l))
    });
    let body = format!(
        r#"{back}<h1>Billing</h1><div class="card"><h2>Payment method</h2><p>{card}</p>
<form method="post" action="/p/session/{id}/card"><label for="card">New card number</label><input id="card" name="card" inputmode="numeric" placeholder="4242 4242 4242 4242"><button type="submit">Update card</button></form></div>
<h2>Subscriptions</h2>{rows}"#
    );
    page("Billing portal", &body).into_response()
}

#[derive(Deserialize)]
struct SubscriptionForm {
    subscription: String,
    cancel: String,
}

async fn portal_subscription(
    State(s): State<Standin>,
    Path(id): Path<String>,
    Form(form): Form<SubscriptionForm>,
) -> Response {
    let allowed = s.read(|store| {
        let session = store.portal_sessions.get(&id)?;
        let customer = session["customer"].clone();
        Some(
            store.portal_allows(session, "subscription_cancel")
                && store.subscriptions.get(&form.subscription)?["customer"] == customer,
        )
    });
    if allowed == Some(true) {
        let params = [(
            "cancel_at_period_end".to_string(),
            (form.cancel == "true").to_string(),
        )]
        .into();
        let _ = s.change(|store| store.update_subscription(&form.subscription, &params));
    }
    Redirect::to(&format!("/p/session/{id}")).into_response()
}

async fn portal_card(
    State(s): State<Standin>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let customer = s.read(|store| {
        store.portal_sessions.get(&id)?["customer"]
            .as_str()
            .map(str::to_string)
    });
    let card = Card::parse(&form.card);
    if let (Some(customer), Ok(Card::Pays | Card::AuthenticationRequired)) = (customer, card) {
        let last4 = last4(&form.card);
        s.change(|store| store.replace_card(&customer, &last4));
    }
    Redirect::to(&format!("/p/session/{id}")).into_response()
}

fn invoice_html(s: &Standin, id: &str, error: Option<&str>) -> Response {
    let Some(invoice) = s.read(|store| store.invoices.get(id).cloned()) else {
        return page("Not found", "<h1>This invoice does not exist.</h1>").into_response();
    };
    let currency = invoice["currency"].as_str().unwrap_or("usd");
    let status = invoice["status"].as_str().unwrap_or("");
    let pay = if status == "open" {
        let error = error
            .map(|e| format!(r#"<p class="error" role="alert">{}</p>"#, esc(e)))
            .unwrap_or_default();
        format!(
            r#"<form class="card" method="post">{error}<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" placeholder="4242 4242 4242 4242"><button type="submit">Pay {}</button></form>"#,
            money(invoice["amount_remaining"].as_i64().unwrap_or(0), currency)
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<div class="card"><h1>Invoice {number}</h1><p class="row"><span>Status</span><strong>{status}</strong></p>
<p class="row"><span>Amount due</span><strong>{due}</strong></p><p class="row"><span>Period</span><span>{from} – {to}</span></p>
<p><a href="/i/{id}/pdf">Download PDF</a></p></div>{pay}"#,
        number = esc(invoice["number"].as_str().unwrap_or("")),
        status = esc(status),
        due = money(invoice["amount_due"].as_i64().unwrap_or(0), currency),
        from = date(&invoice["period_start"]),
        to = date(&invoice["period_end"]),
    );
    page("Invoice", &body).into_response()
}

async fn invoice_page(State(s): State<Standin>, Path(id): Path<String>) -> Response {
    invoice_html(&s, &id, None)
}

async fn pay_invoice(
    State(s): State<Standin>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let card = match Card::parse(&form.card) {
        Ok(card) => card,
        Err(message) => return invoice_html(&s, &id, Some(message)),
    };
    match s.change(|store| store.pay_invoice(&id, card)) {
        Ok(_) => Redirect::to(&format!("/i/{id}")).into_response(),
        Err(message) => invoice_html(&s, &id, Some(&message)),
    }
}

/// A one-page PDF with the invoice's number, amount and status.
async fn invoice_pdf(State(s): State<Standin>, Path(id): Path<String>) -> Response {
    let Some(invoice) = s.read(|store| store.invoices.get(&id).cloned()) else {
        return (axum::http::StatusCode::NOT_FOUND, "no such invoice").into_response();
    };
    let text = format!(
        "Invoice {} - {} - {} (test mode, no real money)",
        invoice["number"].as_str().unwrap_or(""),
        money(
            invoice["amount_due"].as_i64().unwrap_or(0),
            invoice["currency"].as_str().unwrap_or("usd")
        ),
        invoice["status"].as_str().unwrap_or("")
    )
    .replace(['(', ')', '\\'], " ");
    let stream = format!("BT /F1 14 Tf 50 780 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response()
}
