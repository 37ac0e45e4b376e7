//! The stand-in's objects, shaped from Stripe's fixtures, and what paying,
//! changing and cancelling does to them (with the events Stripe sends).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The API version the events say they were rendered with.
pub const API_VERSION: &str = "2026-09-30.endive";
const MONTH: i64 = 30 * 24 * 3600;

fn fixtures() -> &'static Value {
    static FIXTURES: OnceLock<Value> = OnceLock::new();
    FIXTURES.get_or_init(|| serde_json::from_str(include_str!("fixtures.json")).unwrap_or(Value::Null))
}

/// A copy of Stripe's example object of this kind.
fn fixture(kind: &str) -> Value {
    fixtures().get(kind).cloned().unwrap_or_else(|| json!({}))
}

/// Sets top-level fields of an object.
fn set(object: &mut Value, fields: Value) {
    if let (Some(target), Value::Object(fields)) = (object.as_object_mut(), fields) {
        target.extend(fields);
    }
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A request's form fields (Stripe's bracket notation kept as keys).
pub type Params = HashMap<String, String>;

/// `metadata[k]=v` fields under `prefix` as an object.
pub fn metadata(params: &Params, prefix: &str) -> Value {
    let start = format!("{prefix}[");
    let map: serde_json::Map<String, Value> = params
        .iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix(&start)?.strip_suffix(']')?;
            (!key.contains('[')).then(|| (key.to_string(), Value::String(v.clone())))
        })
        .collect();
    Value::Object(map)
}

/// Why a request failed, as Stripe says it.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
    pub param: Option<&'static str>,
}

pub fn missing(what: &str, id: &str) -> ApiError {
    ApiError {
        status: 404,
        message: format!("No such {what}: '{id}'"),
        param: Some("id"),
    }
}

pub fn invalid(param: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        message: message.into(),
        param: Some(param),
    }
}

/// What a test card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    Pays,
    Declined,
}

impl Card {
    pub fn parse(number: &str) -> Result<Self, &'static str> {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        match digits.as_str() {
            "4242424242424242" => Ok(Card::Pays),
            "4000000000000002" => Ok(Card::Declined),
            _ => Err("Your card number is incorrect. Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined."),
        }
    }
}

/// Every object, by id.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    counter: u64,
    pub customers: HashMap<String, Value>,
    pub products: HashMap<String, Value>,
    pub prices: HashMap<String, Value>,
    pub sessions: HashMap<String, Value>,
    /// A checkout session's price, quantity and the new subscription's metadata.
    session_items: HashMap<String, (String, i64, Value)>,
    pub subscriptions: HashMap<String, Value>,
    pub invoices: HashMap<String, Value>,
    pub payment_methods: HashMap<String, Value>,
    pub portal_sessions: HashMap<String, Value>,
    #[serde(default)]
    pub portal_configurations: HashMap<String, Value>,
    pub events: Vec<Value>,
    /// Idempotency keys: the first answer, by key and path.
    pub idempotent: HashMap<String, Value>,
    /// Events made by the last change, for the webhook sender.
    #[serde(skip)]
    pub unsent: Vec<Value>,
    /// Where hosted pages live, for the URLs objects carry.
    #[serde(skip)]
    pub public_url: String,
}

impl Store {
    pub fn load(path: &std::path::Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text)
            .map_err(|e| tracing::warn!(error = %e, path = %path.display(), "stand-in state unreadable; starting empty"))
            .ok()
    }

    pub fn save(&self, path: &std::path::Path) {
        let written = serde_json::to_vec(self)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(path, bytes));
        if let Err(error) = written {
            tracing::warn!(%error, path = %path.display(), "stand-in state not saved");
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.counter += 1;
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("{prefix}_ksf{:06}{}", self.counter, &random[..10])
    }

    /// Records an event about `object` (a snapshot, as Stripe sends).
    pub fn emit(&mut self, kind: &str, object: &Value) {
        let id = self.id("evt");
        let mut event = fixture("event");
        set(
            &mut event,
            json!({
                "id": id, "api_version": API_VERSION, "created": now(), "type": kind,
                "data": { "object": object }, "livemode": false, "pending_webhooks": 1,
                "request": { "id": null, "idempotency_key": null },
            }),
        );
        self.events.push(event.clone());
        self.unsent.push(event);
    }

    pub fn create_customer(&mut self, params: &Params) -> Value {
        let id = self.id("cus");
        let mut customer = fixture("customer");
        set(
            &mut customer,
            json!({
                "id": id, "created": now(), "email": params.get("email"), "name": params.get("name"),
                "metadata": metadata(params, "metadata"), "discount": null, "currency": null,
                "invoice_prefix": format!("KSF{}", &id[id.len() - 4..].to_ascii_uppercase()),
                "next_invoice_sequence": 1,
                "invoice_settings": { "custom_fields": null, "default_payment_method": null, "footer": null,
                                      "rendering_options": null },
            }),
        );
        self.customers.insert(id, customer.clone());
        self.emit("customer.created", &customer);
        customer
    }

    pub fn upsert_product(&mut self, id: Option<&str>, params: &Params) -> Result<Value, ApiError> {
        let mut product = match id {
            Some(id) => self
                .products
                .get(id)
                .cloned()
                .ok_or_else(|| missing("product", id))?,
            None => {
                let mut p = fixture("product");
                let id = params.get("id").cloned().unwrap_or_else(|| self.id("prod"));
                set(
                    &mut p,
                    json!({ "id": id, "created": now(), "default_price": null, "description": null,
                            "package_dimensions": null, "type": "service", "images": [] }),
                );
                p
            }
        };
        if let Some(name) = params.get("name") {
            set(&mut product, json!({ "name": name }));
        }
        if let Some(active) = params.get("active") {
            set(&mut product, json!({ "active": active == "true" }));
        }
        set(
            &mut product,
            json!({ "updated": now(), "metadata": metadata(params, "metadata") }),
        );
        let id = product["id"].as_str().unwrap_or_default().to_string();
        self.products.insert(id, product.clone());
        Ok(product)
    }

    pub fn create_price(&mut self, params: &Params) -> Result<Value, ApiError> {
        let product = params
            .get("product")
            .ok_or_else(|| invalid("product", "Missing required param: product."))?;
        if !self.products.contains_key(product) {
            return Err(missing("product", product));
        }
        let amount: i64 = params
            .get("unit_amount")
            .and_then(|a| a.parse().ok())
            .filter(|a| *a >= 0)
            .ok_or_else(|| {
                invalid(
                    "unit_amount",
                    "Invalid unit_amount: a whole number of minor units.",
                )
            })?;
        let currency = params
            .get("currency")
            .filter(|c| c.len() == 3)
            .ok_or_else(|| invalid("currency", "Invalid currency."))?
            .to_ascii_lowercase();
        let id = self.id("price");
        let mut price = fixture("price");
        set(
            &mut price,
            json!({
                "id": id, "product": product, "unit_amount": amount, "unit_amount_decimal": amount.to_string(),
                "currency": currency, "created": now(), "metadata": metadata(params, "metadata"),
                "custom_unit_amount": null, "transform_quantity": null, "nickname": params.get("nickname"),
                "recurring": { "interval": "month", "interval_count": 1, "meter": null,
                               "usage_type": "licensed", "trial_period_days": null },
            }),
        );
        self.prices.insert(id, price.clone());
        Ok(price)
    }

    pub fn update_price(&mut self, id: &str, params: &Params) -> Result<Value, ApiError> {
        let price = self.prices.get_mut(id).ok_or_else(|| missing("price", id))?;
        if let Some(active) = params.get("active") {
            set(price, json!({ "active": active == "true" }));
        }
        Ok(price.clone())
    }

    pub fn create_session(&mut self, params: &Params, public_url: &str) -> Result<Value, ApiError> {
        if params.get("mode").map(String::as_str) != Some("subscription") {
            return Err(invalid(
                "mode",
                "The stand-in sells subscriptions only: mode=subscription.",
            ));
        }
        let customer = params
            .get("customer")
            .ok_or_else(|| invalid("customer", "Missing required param: customer."))?;
        if !self.customers.contains_key(customer) {
            return Err(missing("customer", customer));
        }
        let price_id = params
            .get("line_items[0][price]")
            .ok_or_else(|| invalid("line_items", "Missing required param: line_items[0][price]."))?;
        let price = self
            .prices
            .get(price_id)
            .ok_or_else(|| missing("price", price_id))?
            .clone();
        let quantity: i64 = params
            .get("line_items[0][quantity]")
            .map_or(Some(1), |q| q.parse().ok())
            .filter(|q| (1..=100).contains(q))
            .ok_or_else(|| invalid("line_items", "Invalid quantity."))?;
        let success = params
            .get("success_url")
            .ok_or_else(|| invalid("success_url", "Missing success_url."))?;
        let id = format!("cs_test_{}", &self.id("s")[2..]);
        let amount = price["unit_amount"].as_i64().unwrap_or(0) * quantity;
        let mut session = fixture("checkout.session");
        set(
            &mut session,
            json!({
                "id": id, "mode": "subscription", "customer": customer, "created": now(),
                "expires_at": now() + 24 * 3600, "status": "open", "payment_status": "unpaid",
                "success_url": success, "cancel_url": params.get("cancel_url"),
                "url": format!("{public_url}/c/pay/{id}"), "client_reference_id": params.get("client_reference_id"),
                "metadata": metadata(params, "metadata"), "currency": price["currency"],
                "amount_subtotal": amount, "amount_total": amount, "payment_intent": null,
                "subscription": null, "invoice": null, "invoice_creation": null,
                "allow_promotion_codes": params.get("allow_promotion_codes").map(|v| v == "true"),
                "automatic_tax": { "enabled": params.get("automatic_tax[enabled]").is_some_and(|v| v == "true"),
                                   "liability": null, "status": null, "provider": null },
                "shipping_address_collection": null, "shipping_cost": null, "shipping_options": [],
                "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
                "customer_details": null, "after_expiration": null, "custom_text": {
                    "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
                "collected_information": null, "payment_method_configuration_details": null,
                "adaptive_pricing": null, "discounts": null,
            }),
        );
        let sub_metadata = metadata(params, "subscription_data[metadata]");
        self.session_items
            .insert(id.clone(), (price_id.clone(), quantity, sub_metadata));
        self.sessions.insert(id, session.clone());
        Ok(session)
    }

    fn new_payment_method(&mut self, customer: &str, last4: &str) -> String {
        let id = self.id("pm");
        let mut pm = fixture("payment_method");
        set(
            &mut pm,
            json!({ "id": id, "customer": customer, "created": now(), "metadata": {} }),
        );
        pm["card"]["last4"] = json!(last4);
        self.payment_methods.insert(id.clone(), pm.clone());
        self.emit("payment_method.attached", &pm);
        if let Some(c) = self.customers.get_mut(customer) {
            c["invoice_settings"]["default_payment_method"] = json!(id);
            let c = c.clone();
            self.emit("customer.updated", &c);
        }
        id
    }

    /// A subscription item with its price (and the legacy plan Stripe still sends).
    fn item(&mut self, sub: &str, price: &Value, quantity: i64, start: i64, end: i64) -> Value {
        let mut item = fixture("subscription_item");
        let plan = json!({
            "id": price["id"], "object": "plan", "active": true, "amount": price["unit_amount"],
            "amount_decimal": price["unit_amount_decimal"], "billing_scheme": "per_unit", "created": price["created"],
            "currency": price["currency"], "interval": "month", "interval_count": 1, "livemode": false,
            "metadata": {}, "meter": null, "nickname": null, "product": price["product"], "tiers_mode": null,
            "transform_usage": null, "trial_period_days": null, "usage_type": "licensed",
        });
        set(
            &mut item,
            json!({ "id": self.id("si"), "subscription": sub, "price": price, "plan": plan, "quantity": quantity,
                    "created": now(), "current_period_start": start, "current_period_end": end,
                    "billing_thresholds": null, "metadata": {} }),
        );
        item
    }

    /// An invoice for a subscription's period, paid or left open.
    fn invoice(&mut self, sub: &Value, amount: i64, reason: &str, paid: bool, created: i64) -> Value {
        let id = self.id("in");
        let customer = sub["customer"].as_str().unwrap_or_default().to_string();
        let (prefix, sequence) = match self.customers.get_mut(&customer) {
            Some(c) => {
                let n = c["next_invoice_sequence"].as_i64().unwrap_or(1);
                c["next_invoice_sequence"] = json!(n + 1);
                (c["invoice_prefix"].as_str().unwrap_or("KSF").to_string(), n)
            }
            None => ("KSF".into(), 1),
        };
        let item = &sub["items"]["data"][0];
        let (start, end) = (
            item["current_period_start"].clone(),
            item["current_period_end"].clone(),
        );
        let public = self.public_url.clone();
        let mut invoice = fixture("invoice");
        let line = json!({
            "id": self.id("il"), "object": "line_item", "amount": amount, "currency": sub["currency"],
            "description": format!("1 × {}", item["price"]["nickname"].as_str().unwrap_or("Hosting plan")),
            "discount_amounts": [], "discountable": true, "discounts": [], "invoice": id, "livemode": false,
            "metadata": {}, "period": { "start": start, "end": end }, "quantity": 1, "subscription": sub["id"],
            "pretax_credit_amounts": [], "taxes": [], "subtotal": amount, "quantity_decimal": "1",
            "pricing": { "type": "price_details", "price_details": { "price": item["price"]["id"], "product": item["price"]["product"] },
                         "unit_amount_decimal": amount.to_string() },
            "parent": { "type": "subscription_item_details", "invoice_item_details": null,
                        "subscription_item_details": { "invoice_item": null, "proration": reason == "subscription_update",
                            "proration_details": { "credited_items": null }, "subscription": sub["id"],
                            "subscription_item": item["id"] } },
        });
        set(
            &mut invoice,
            json!({
                "id": id, "customer": customer, "number": format!("{prefix}-{sequence:04}"),
                "status": if paid { "paid" } else { "open" }, "created": created, "effective_at": created,
                "currency": sub["currency"], "amount_due": amount, "amount_paid": if paid { amount } else { 0 },
                "amount_remaining": if paid { 0 } else { amount }, "subtotal": amount, "total": amount,
                "subtotal_excluding_tax": amount, "total_excluding_tax": amount, "amount_overpaid": 0,
                "billing_reason": reason, "attempted": true, "attempt_count": 1, "auto_advance": !paid,
                "hosted_invoice_url": format!("{public}/i/{id}"), "invoice_pdf": format!("{public}/i/{id}/pdf"),
                "period_start": start, "period_end": end, "due_date": null, "next_payment_attempt": null,
                "last_finalization_error": null, "from_invoice": null, "shipping_cost": null, "latest_revision": null,
                "webhooks_delivered_at": null, "automatically_finalizes_at": null, "account_name": "KSFoundation (test)",
                "lines": { "object": "list", "data": [line], "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
                "parent": { "type": "subscription_details", "quote_details": null,
                            "subscription_details": { "metadata": sub["metadata"], "subscription": sub["id"] } },
                "status_transitions": { "finalized_at": created, "marked_uncollectible_at": null,
                                        "paid_at": if paid { json!(created) } else { Value::Null }, "voided_at": null },
            }),
        );
        self.invoices.insert(id, invoice.clone());
        self.emit("invoice.finalized", &invoice);
        self.emit(
            if paid {
                "invoice.paid"
            } else {
                "invoice.payment_failed"
            },
            &invoice,
        );
        invoice
    }

    /// Pays an open checkout session: a card, a subscription and its first
    /// invoice, backdated by `months_ago` periods of paid invoices (demo
    /// history). Answers the URL to send the browser to.
    pub fn pay_session(
        &mut self,
        id: &str,
        card: Card,
        last4: &str,
        months_ago: i64,
    ) -> Result<String, String> {
        let session = self
            .sessions
            .get(id)
            .cloned()
            .ok_or("This checkout session does not exist.")?;
        if session["status"] != "open" {
            return Err("This checkout session is no longer open.".into());
        }
        if card == Card::Declined {
            return Err("Your card was declined. Try another card.".into());
        }
        let (price_id, quantity, sub_metadata) =
            self.session_items.get(id).cloned().ok_or("No line items.")?;
        let price = self
            .prices
            .get(&price_id)
            .cloned()
            .ok_or("The price no longer exists.")?;
        let customer = session["customer"].as_str().unwrap_or_default().to_string();
        let pm = self.new_payment_method(&customer, last4);
        let sub_id = self.id("sub");
        let start = now() - months_ago.clamp(0, 36) * MONTH;
        let mut sub = fixture("subscription");
        let item = self.item(&sub_id, &price, quantity, start, start + MONTH);
        set(
            &mut sub,
            json!({
                "id": sub_id, "customer": customer, "status": "active", "created": start, "start_date": start,
                "billing_cycle_anchor": start, "billing_cycle_anchor_config": null, "currency": price["currency"],
                "default_payment_method": pm, "metadata": sub_metadata, "cancel_at_period_end": false,
                "cancel_at": null, "canceled_at": null, "ended_at": null, "trial_end": null, "trial_start": null,
                "pending_update": null, "pause_collection": null, "schedule": null, "transfer_data": null,
                "next_pending_invoice_item_invoice": null, "pending_invoice_item_interval": null,
                "discounts": [], "billing_schedules": [], "latest_invoice": null,
                "cancellation_details": { "comment": null, "feedback": null, "reason": null },
                "items": { "object": "list", "data": [item], "has_more": false,
                           "url": format!("/v1/subscription_items?subscription={sub_id}") },
            }),
        );
        let amount = price["unit_amount"].as_i64().unwrap_or(0) * quantity;
        self.emit("customer.subscription.created", &sub);
        let mut latest = self.invoice(&sub, amount, "subscription_create", true, start);
        for _ in 0..months_ago.clamp(0, 36) {
            advance_period(&mut sub);
            let created = sub["items"]["data"][0]["current_period_start"]
                .as_i64()
                .unwrap_or(start);
            latest = self.invoice(&sub, amount, "subscription_cycle", true, created);
        }
        sub["latest_invoice"] = latest["id"].clone();
        self.subscriptions.insert(sub_id.clone(), sub.clone());
        self.emit("customer.subscription.updated", &sub);
        let mut session = session;
        set(
            &mut session,
            json!({ "status": "complete", "payment_status": "paid", "subscription": sub_id, "invoice": latest["id"] }),
        );
        self.sessions.insert(id.to_string(), session.clone());
        self.emit("checkout.session.completed", &session);
        let success = session["success_url"]
            .as_str()
            .unwrap_or("/")
            .replace("{CHECKOUT_SESSION_ID}", id);
        Ok(success)
    }

    /// Starts the next period: its invoice is paid, or fails and leaves the
    /// subscription past due (a test switch; Stripe does this on its clock).
    pub fn renew(&mut self, id: &str, pays: bool) -> Result<Value, ApiError> {
        let mut sub = self
            .subscriptions
            .get(id)
            .cloned()
            .ok_or_else(|| missing("subscription", id))?;
        if sub["status"] == "canceled" {
            return Err(invalid("subscription", "A canceled subscription does not renew."));
        }
        if sub["cancel_at_period_end"] == true {
            return self.cancel(id);
        }
        advance_period(&mut sub);
        let amount = sub["items"]["data"][0]["price"]["unit_amount"]
            .as_i64()
            .unwrap_or(0);
        let invoice = self.invoice(&sub, amount, "subscription_cycle", pays, now());
        sub["latest_invoice"] = invoice["id"].clone();
        sub["status"] = json!(if pays { "active" } else { "past_due" });
        self.subscriptions.insert(id.to_string(), sub.clone());
        self.emit("customer.subscription.updated", &sub);
        Ok(sub)
    }

    /// Pays an open invoice; a past-due subscription becomes active again.
    pub fn pay_invoice(&mut self, id: &str, card: Card) -> Result<Value, String> {
        let invoice = self.invoices.get_mut(id).ok_or("This invoice does not exist.")?;
        if invoice["status"] != "open" {
            return Err("This invoice is not open.".into());
        }
        if card == Card::Declined {
            return Err("Your card was declined. Try another card.".into());
        }
        let amount = invoice["amount_due"].clone();
        invoice["status"] = json!("paid");
        invoice["amount_paid"] = amount;
        invoice["amount_remaining"] = json!(0);
        invoice["status_transitions"]["paid_at"] = json!(now());
        let invoice = invoice.clone();
        self.emit("invoice.paid", &invoice);
        let sub_id = invoice["parent"]["subscription_details"]["subscription"]
            .as_str()
            .map(str::to_string);
        if let Some(sub) = sub_id.and_then(|s| self.subscriptions.get_mut(&s)) {
            if sub["status"] == "past_due" || sub["status"] == "unpaid" {
                sub["status"] = json!("active");
                let sub = sub.clone();
                self.emit("customer.subscription.updated", &sub);
            }
        }
        Ok(invoice)
    }

    /// Cancels now.
    pub fn cancel(&mut self, id: &str) -> Result<Value, ApiError> {
        let sub = self
            .subscriptions
            .get_mut(id)
            .ok_or_else(|| missing("subscription", id))?;
        set(
            sub,
            json!({ "status": "canceled", "canceled_at": now(), "ended_at": now() }),
        );
        let sub = sub.clone();
        self.emit("customer.subscription.deleted", &sub);
        Ok(sub)
    }

    /// `cancel_at_period_end`, and a plan change (`items[0][price]`) with
    /// its proration invoiced at once when `proration_behavior=always_invoice`.
    pub fn update_subscription(&mut self, id: &str, params: &Params) -> Result<Value, ApiError> {
        let mut sub = self
            .subscriptions
            .get(id)
            .cloned()
            .ok_or_else(|| missing("subscription", id))?;
        if sub["status"] == "canceled" {
            return Err(invalid(
                "subscription",
                "A canceled subscription cannot be updated.",
            ));
        }
        if let Some(flag) = params.get("cancel_at_period_end") {
            let end = sub["items"]["data"][0]["current_period_end"].clone();
            let at_end = flag == "true";
            set(
                &mut sub,
                json!({ "cancel_at_period_end": at_end, "cancel_at": if at_end { end } else { Value::Null } }),
            );
        }
        let mut proration = None;
        if let Some(price_id) = params.get("items[0][price]") {
            let price = self
                .prices
                .get(price_id)
                .cloned()
                .ok_or_else(|| missing("price", price_id))?;
            let amount = prorate(&sub, &price, now());
            let item = &mut sub["items"]["data"][0];
            item["price"] = price.clone();
            item["plan"]["id"] = price["id"].clone();
            item["plan"]["amount"] = price["unit_amount"].clone();
            if params.get("proration_behavior").map(String::as_str) == Some("always_invoice") {
                proration = Some(amount.max(0));
            }
        }
        self.subscriptions.insert(id.to_string(), sub.clone());
        self.emit("customer.subscription.updated", &sub);
        if let Some(amount) = proration {
            let invoice = self.invoice(&sub, amount, "subscription_update", true, now());
            sub["latest_invoice"] = invoice["id"].clone();
            self.subscriptions.insert(id.to_string(), sub.clone());
        }
        Ok(sub)
    }

    /// What changing to `items[0][price]` now would invoice (no change made).
    pub fn preview(&self, params: &Params) -> Result<Value, ApiError> {
        let sub_id = params
            .get("subscription")
            .ok_or_else(|| invalid("subscription", "Missing subscription."))?;
        let sub = self
            .subscriptions
            .get(sub_id)
            .ok_or_else(|| missing("subscription", sub_id))?;
        let price_id = params
            .get("subscription_details[items][0][price]")
            .ok_or_else(|| {
                invalid(
                    "subscription_details",
                    "Missing subscription_details[items][0][price].",
                )
            })?;
        let price = self
            .prices
            .get(price_id)
            .ok_or_else(|| missing("price", price_id))?;
        let at = params
            .get("subscription_details[proration_date]")
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(now);
        let amount = prorate(sub, price, at).max(0);
        let mut invoice = fixture("invoice");
        set(
            &mut invoice,
            json!({
                "id": null, "customer": sub["customer"], "status": "draft", "currency": sub["currency"],
                "amount_due": amount, "amount_paid": 0, "amount_remaining": amount, "subtotal": amount, "total": amount,
                "subtotal_excluding_tax": amount, "total_excluding_tax": amount, "amount_overpaid": 0, "number": null,
                "billing_reason": "upcoming", "lines": { "object": "list", "data": [], "has_more": false, "url": "/v1/invoices/upcoming/lines" },
                "parent": { "type": "subscription_details", "quote_details": null,
                            "subscription_details": { "metadata": sub["metadata"], "subscription": sub["id"] } },
                "last_finalization_error": null, "from_invoice": null, "shipping_cost": null,
            }),
        );
        Ok(invoice)
    }

    pub fn create_portal_configuration(&mut self, params: &Params) -> Value {
        let id = self.id("bpc");
        let on = |feature: &str| {
            params
                .get(&format!("features[{feature}][enabled]"))
                .is_some_and(|v| v == "true")
        };
        let mut configuration = fixture("billing_portal.configuration");
        set(
            &mut configuration,
            json!({ "id": id, "created": now(), "updated": now(), "livemode": false,
                    "is_default": false, "metadata": metadata(params, "metadata") }),
        );
        for feature in [
            "invoice_history",
            "payment_method_update",
            "subscription_cancel",
            "subscription_update",
            "customer_update",
        ] {
            configuration["features"][feature]["enabled"] = json!(on(feature));
        }
        self.portal_configurations.insert(id, configuration.clone());
        configuration
    }

    /// Whether a portal session's configuration allows `feature` (none:
    /// Stripe's default, which allows cancelling).
    pub fn portal_allows(&self, session: &Value, feature: &str) -> bool {
        match session["configuration"]
            .as_str()
            .and_then(|c| self.portal_configurations.get(c))
        {
            Some(c) => c["features"][feature]["enabled"] == true,
            None => true,
        }
    }

    pub fn create_portal_session(&mut self, params: &Params, public_url: &str) -> Result<Value, ApiError> {
        let customer = params
            .get("customer")
            .ok_or_else(|| invalid("customer", "Missing customer."))?;
        if !self.customers.contains_key(customer) {
            return Err(missing("customer", customer));
        }
        let id = self.id("bps");
        let mut session = fixture("billing_portal.session");
        set(
            &mut session,
            json!({ "id": id, "customer": customer, "created": now(), "livemode": false, "flow": null, "configuration": params.get("configuration"),
                    "return_url": params.get("return_url"), "url": format!("{public_url}/p/session/{id}") }),
        );
        self.portal_sessions.insert(id, session.clone());
        Ok(session)
    }

    /// A new default card from the billing portal; open invoices are paid with it.
    pub fn replace_card(&mut self, customer: &str, last4: &str) {
        let old: Vec<String> = self
            .payment_methods
            .iter()
            .filter(|(_, pm)| pm["customer"] == customer)
            .map(|(id, _)| id.clone())
            .collect();
        for id in old {
            if let Some(mut pm) = self.payment_methods.remove(&id) {
                pm["customer"] = Value::Null;
                self.emit("payment_method.detached", &pm);
            }
        }
        self.new_payment_method(customer, last4);
        let open: Vec<String> = self
            .invoices
            .iter()
            .filter(|(_, i)| i["customer"] == customer && i["status"] == "open")
            .map(|(id, _)| id.clone())
            .collect();
        for id in open {
            let _ = self.pay_invoice(&id, Card::Pays);
        }
    }
}

/// Moves a subscription's period on by one month.
fn advance_period(sub: &mut Value) {
    let item = &mut sub["items"]["data"][0];
    let end = item["current_period_end"].as_i64().unwrap_or_else(now);
    item["current_period_start"] = json!(end);
    item["current_period_end"] = json!(end + MONTH);
}

/// The difference between the new and the old price for what is left of
/// the period, in minor units (negative: a credit).
fn prorate(sub: &Value, price: &Value, at: i64) -> i64 {
    let item = &sub["items"]["data"][0];
    let (start, end) = (
        item["current_period_start"].as_i64().unwrap_or(at),
        item["current_period_end"].as_i64().unwrap_or(at),
    );
    let old = item["price"]["unit_amount"].as_i64().unwrap_or(0);
    let new = price["unit_amount"].as_i64().unwrap_or(0);
    let length = (end - start).max(1);
    let left = (end - at).clamp(0, length);
    ((new - old) as i128 * left as i128 / length as i128) as i64
}
