//! The stand-in's objects, shaped from Stripe's fixtures, and what paying,
//! changing and cancelling does to them (with the events Stripe sends).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod checkout;
mod payments;
mod subscriptions;

/// The API version the events say they were rendered with.
pub const API_VERSION: &str = "2026-09-30.endive";
const MONTH: i64 = 30 * 24 * 3600;

fn fixtures() -> &'static Value {
    static FIXTURES: OnceLock<Value> = OnceLock::new();
    FIXTURES.get_or_init(|| serde_json::from_str(include_str!("../fixtures.json")).unwrap_or(Value::Null))
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
    /// Pays where the customer is present (the hosted pages authenticate
    /// it) and declines every charge made without them (off-session), as
    /// Stripe's 3D Secure test card 4000 0027 6000 3184 does.
    AuthenticationRequired,
}

impl Card {
    pub fn parse(number: &str) -> Result<Self, &'static str> {
        let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        match digits.as_str() {
            "4242424242424242" => Ok(Card::Pays),
            "4000000000000002" => Ok(Card::Declined),
            "4000002760003184" => Ok(Card::AuthenticationRequired),
            _ => Err("Your card number is incorrect. Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0027 6000 3184 pays here but declines charges made without you."),
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
    /// One-time payments (Checkout in payment mode) and their refunds.
    #[serde(default)]
    pub payment_intents: HashMap<String, Value>,
    #[serde(default)]
    pub refunds: HashMap<String, Value>,
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
