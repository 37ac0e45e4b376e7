//! The `/v1` endpoints the portal calls, answering as Stripe does: JSON
//! objects, Stripe's error shape, bearer keys, idempotency keys.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

use super::store::{missing, ApiError, Params, Store};
use super::Standin;

pub fn routes() -> Router<Standin> {
    Router::new()
        .route("/v1/customers", post(create_customer))
        .route("/v1/customers/{id}", get(get_customer))
        .route("/v1/products", post(create_product))
        .route("/v1/products/{id}", post(update_product).get(get_product))
        .route("/v1/prices", post(create_price))
        .route("/v1/prices/{id}", post(update_price).get(get_price))
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(get_session))
        .route("/v1/refunds", post(create_refund))
        .route("/v1/payment_intents", post(create_payment_intent))
        .route(
            "/v1/subscriptions/{id}",
            get(get_subscription)
                .post(update_subscription)
                .delete(cancel_subscription),
        )
        .route("/v1/invoices/create_preview", post(preview_invoice))
        .route("/v1/invoices/{id}", get(get_invoice))
        .route("/v1/billing_portal/sessions", post(create_portal_session))
        .route(
            "/v1/billing_portal/configurations",
            post(create_portal_configuration),
        )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let (kind, code) = match self.status {
            404 => ("invalid_request_error", "resource_missing"),
            // The one card error the stand-in gives: an off-session charge
            // of a card that needs its holder to authenticate.
            402 => ("card_error", "authentication_required"),
            _ => ("invalid_request_error", "parameter_invalid"),
        };
        let body = json!({ "error": {
            "type": kind, "code": code, "message": self.message, "param": self.param,
            "decline_code": (self.status == 402).then_some("authentication_required") } });
        (status, Json(body)).into_response()
    }
}

/// The key must look like a Stripe test key: the stand-in never takes a
/// live one. Some(answer) when refused.
fn refused(headers: &HeaderMap) -> Option<Response> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match key {
        Some(k) if k.starts_with("sk_test_") => None,
        _ => Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({ "error": { "type": "invalid_request_error",
                "message": "Invalid API key: the Stripe stand-in takes test keys (sk_test_…) only." } })),
            )
                .into_response(),
        ),
    }
}

fn params(body: &[u8], uri: &Uri) -> Params {
    let query = uri.query().unwrap_or("").as_bytes();
    form_urlencoded::parse(query)
        .chain(form_urlencoded::parse(body))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Runs a write once per idempotency key: a repeated key gets the first answer.
fn once(
    standin: &Standin,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    f: impl FnOnce(&mut Store) -> Result<Value, ApiError>,
) -> Response {
    if let Some(refused) = refused(headers) {
        return refused;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{method} {} {k}", uri.path()));
    standin
        .change(|store| {
            if let Some(first) = key.as_ref().and_then(|k| store.idempotent.get(k)) {
                return Ok::<Value, ApiError>(first.clone());
            }
            let answer = f(store)?;
            if let Some(k) = key {
                store.idempotent.insert(k, answer.clone());
            }
            Ok(answer)
        })
        .map(Json)
        .into_response()
}

fn read(
    standin: &Standin,
    headers: &HeaderMap,
    what: &str,
    id: &str,
    pick: impl FnOnce(&Store) -> Option<Value>,
) -> Response {
    if let Some(refused) = refused(headers) {
        return refused;
    }
    standin
        .read(pick)
        .map(Json)
        .ok_or_else(|| missing(what, id))
        .into_response()
}

async fn create_customer(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| Ok(store.create_customer(&p)))
}

async fn get_customer(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "customer", &id, |store| {
        store.customers.get(&id).cloned()
    })
}

async fn create_product(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| {
        store.upsert_product(None, &p)
    })
}

async fn update_product(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| {
        store.upsert_product(Some(&id), &p)
    })
}

async fn get_product(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "product", &id, |store| {
        store.products.get(&id).cloned()
    })
}

async fn create_price(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| store.create_price(&p))
}

async fn update_price(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| store.update_price(&id, &p))
}

async fn get_price(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "price", &id, |store| store.prices.get(&id).cloned())
}

async fn create_session(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    let public = s.config.public_url.clone();
    once(&s, &method, &uri, &headers, |store| {
        store.create_session(&p, &public)
    })
}

async fn create_refund(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| store.create_refund(&p))
}

async fn create_payment_intent(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| store.charge_off_session(&p))
}

async fn get_session(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "checkout.session", &id, |store| {
        store.sessions.get(&id).cloned()
    })
}

async fn get_subscription(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "subscription", &id, |store| {
        store.subscriptions.get(&id).cloned()
    })
}

async fn update_subscription(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| {
        store.update_subscription(&id, &p)
    })
}

async fn cancel_subscription(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    once(&s, &method, &uri, &headers, |store| store.cancel(&id))
}

async fn preview_invoice(State(s): State<Standin>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = refused(&headers) {
        return refused;
    }
    let p = params(&body, &uri);
    s.read(|store| store.preview(&p)).map(Json).into_response()
}

async fn get_invoice(State(s): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read(&s, &headers, "invoice", &id, |store| {
        store.invoices.get(&id).cloned()
    })
}

async fn create_portal_configuration(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    once(&s, &method, &uri, &headers, |store| {
        Ok(store.create_portal_configuration(&p))
    })
}

async fn create_portal_session(
    State(s): State<Standin>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = params(&body, &uri);
    let public = s.config.public_url.clone();
    once(&s, &method, &uri, &headers, |store| {
        store.create_portal_session(&p, &public)
    })
}
