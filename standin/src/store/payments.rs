//! One-time payments: a Checkout Session in payment mode for an amount the
//! caller sets (`price_data`), paying it (a PaymentIntent), and refunds.

use serde_json::{json, Value};

use super::*;

impl Store {
    pub(super) fn create_payment_session(
        &mut self,
        params: &Params,
        public_url: &str,
    ) -> Result<Value, ApiError> {
        let customer = params
            .get("customer")
            .ok_or_else(|| invalid("customer", "Missing required param: customer."))?;
        if !self.customers.contains_key(customer) {
            return Err(missing("customer", customer));
        }
        let amount: i64 = params
            .get("line_items[0][price_data][unit_amount]")
            .and_then(|a| a.parse().ok())
            .filter(|a| (50..=99_999_999).contains(a))
            .ok_or_else(|| {
                invalid(
                    "line_items",
                    "line_items[0][price_data][unit_amount] must be 50 to 99999999.",
                )
            })?;
        let currency = params
            .get("line_items[0][price_data][currency]")
            .filter(|c| c.len() == 3)
            .ok_or_else(|| invalid("line_items", "Missing line_items[0][price_data][currency]."))?;
        let name = params
            .get("line_items[0][price_data][product_data][name]")
            .ok_or_else(|| {
                invalid(
                    "line_items",
                    "Missing line_items[0][price_data][product_data][name].",
                )
            })?;
        let success = params
            .get("success_url")
            .ok_or_else(|| invalid("success_url", "Missing success_url."))?;
        let id = format!("cs_test_{}", &self.id("s")[2..]);
        let mut session = fixture("checkout.session");
        set(
            &mut session,
            json!({
                "id": id, "mode": "payment", "customer": customer, "created": now(),
                "expires_at": now() + 24 * 3600, "status": "open", "payment_status": "unpaid",
                "success_url": success, "cancel_url": params.get("cancel_url"),
                "url": format!("{public_url}/c/pay/{id}"), "client_reference_id": params.get("client_reference_id"),
                "metadata": metadata(params, "metadata"), "currency": currency,
                "amount_subtotal": amount, "amount_total": amount, "payment_intent": null,
                "subscription": null, "invoice": null, "invoice_creation": null,
                "allow_promotion_codes": null,
                "automatic_tax": { "enabled": false, "liability": null, "status": null, "provider": null },
                "shipping_address_collection": null, "shipping_cost": null, "shipping_options": [],
                "total_details": { "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0 },
                "customer_details": null, "after_expiration": null, "custom_text": {
                    "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
                "collected_information": null, "payment_method_configuration_details": null,
                "adaptive_pricing": null, "discounts": null,
            }),
        );
        // What the hosted page shows, and the intent's metadata.
        session["line_items_description"] = json!(name);
        self.session_items.insert(
            id.clone(),
            (
                String::new(),
                1,
                metadata(params, "payment_intent_data[metadata]"),
            ),
        );
        self.sessions.insert(id, session.clone());
        Ok(session)
    }

    /// Pays a payment-mode session: a card and a succeeded PaymentIntent.
    pub(super) fn pay_payment_session(
        &mut self,
        id: &str,
        session: Value,
        last4: &str,
    ) -> Result<String, String> {
        let customer = session["customer"].as_str().unwrap_or_default().to_string();
        let pm = self.new_payment_method(&customer, last4);
        let (_, _, intent_metadata) = self.session_items.get(id).cloned().ok_or("No line items.")?;
        let pi_id = self.id("pi");
        let amount = session["amount_total"].as_i64().unwrap_or(0);
        let mut intent = fixture("payment_intent");
        set(
            &mut intent,
            json!({
                "id": pi_id, "amount": amount, "amount_received": amount, "amount_capturable": 0,
                "currency": session["currency"], "customer": customer, "created": now(),
                "status": "succeeded", "payment_method": pm, "metadata": intent_metadata,
                "description": session["line_items_description"], "latest_charge": null,
                "invoice": null, "livemode": false,
            }),
        );
        self.payment_intents.insert(pi_id.clone(), intent.clone());
        self.emit("payment_intent.succeeded", &intent);
        let mut session = session;
        set(
            &mut session,
            json!({ "status": "complete", "payment_status": "paid", "payment_intent": pi_id }),
        );
        self.sessions.insert(id.to_string(), session.clone());
        self.emit("checkout.session.completed", &session);
        Ok(session["success_url"]
            .as_str()
            .unwrap_or("/")
            .replace("{CHECKOUT_SESSION_ID}", id))
    }

    /// A PaymentIntent confirmed at once, off-session, with a saved card of
    /// the customer (the only kind the stand-in makes: renewals charged
    /// while the customer is away). A card that needs authentication is
    /// declined with a card error, as Stripe declines it.
    pub fn charge_off_session(&mut self, params: &Params) -> Result<Value, ApiError> {
        let amount = params
            .get("amount")
            .and_then(|a| a.parse::<i64>().ok())
            .filter(|a| (50..=99_999_999).contains(a))
            .ok_or_else(|| invalid("amount", "Amount must be at least 50 cents."))?;
        let currency = params
            .get("currency")
            .ok_or_else(|| invalid("currency", "Missing required param: currency."))?
            .clone();
        if params.get("confirm").map(String::as_str) != Some("true")
            || params.get("off_session").map(String::as_str) != Some("true")
        {
            return Err(invalid(
                "off_session",
                "The stand-in makes confirmed off-session PaymentIntents only.",
            ));
        }
        let customer = params
            .get("customer")
            .ok_or_else(|| invalid("customer", "Missing required param: customer."))?
            .clone();
        let pm_id = params
            .get("payment_method")
            .ok_or_else(|| invalid("payment_method", "Missing required param: payment_method."))?;
        let pm = self
            .payment_methods
            .get(pm_id)
            .cloned()
            .ok_or_else(|| missing("payment_method", pm_id))?;
        if pm["customer"] != json!(customer) {
            return Err(invalid(
                "payment_method",
                "The payment method does not belong to this customer.",
            ));
        }
        let declines = pm["card"]["last4"] == "3184";
        let pi_id = self.id("pi");
        let mut intent = fixture("payment_intent");
        set(
            &mut intent,
            json!({
                "id": pi_id, "amount": amount, "amount_received": if declines { 0 } else { amount },
                "amount_capturable": 0, "currency": currency, "customer": customer, "created": now(),
                "status": if declines { "requires_payment_method" } else { "succeeded" },
                "payment_method": if declines { Value::Null } else { json!(pm_id) },
                "metadata": metadata(params, "metadata"), "description": params.get("description"),
                "latest_charge": null, "invoice": null, "livemode": false,
            }),
        );
        self.payment_intents.insert(pi_id, intent.clone());
        if declines {
            self.emit("payment_intent.payment_failed", &intent);
            return Err(ApiError {
                status: 402,
                message: "Your card was declined. This transaction requires authentication.".into(),
                param: None,
            });
        }
        self.emit("payment_intent.succeeded", &intent);
        Ok(intent)
    }

    /// Refunds a succeeded PaymentIntent in full (once: a second refund of
    /// the same intent is refused, as Stripe refuses one beyond the amount).
    pub fn create_refund(&mut self, params: &Params) -> Result<Value, ApiError> {
        let pi_id = params
            .get("payment_intent")
            .ok_or_else(|| invalid("payment_intent", "Missing required param: payment_intent."))?;
        let intent = self
            .payment_intents
            .get(pi_id)
            .cloned()
            .ok_or_else(|| missing("payment_intent", pi_id))?;
        if self.refunds.values().any(|r| r["payment_intent"] == json!(pi_id)) {
            return Err(invalid(
                "payment_intent",
                format!("Charge for PaymentIntent {pi_id} has already been refunded."),
            ));
        }
        let id = self.id("re");
        let mut refund = fixture("refund");
        set(
            &mut refund,
            json!({
                "id": id, "amount": intent["amount"], "currency": intent["currency"], "created": now(),
                "payment_intent": pi_id, "status": "succeeded", "metadata": metadata(params, "metadata"),
                "charge": null, "reason": null,
            }),
        );
        self.refunds.insert(id, refund.clone());
        self.emit("refund.created", &refund);
        Ok(refund)
    }
}
