//! Checkout: a session, and paying it (a card, a subscription and its
//! first invoice).

use serde_json::{json, Value};

use super::subscriptions::advance_period;
use super::*;

impl Store {
    pub fn create_session(&mut self, params: &Params, public_url: &str) -> Result<Value, ApiError> {
        match params.get("mode").map(String::as_str) {
            Some("subscription") => {}
            Some("payment") => return self.create_payment_session(params, public_url),
            _ => {
                return Err(invalid(
                    "mode",
                    "The stand-in takes mode=subscription or mode=payment.",
                ))
            }
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

    pub(super) fn new_payment_method(&mut self, customer: &str, last4: &str) -> String {
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
        if session["mode"] == "payment" {
            return self.pay_payment_session(id, session, last4);
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
}
