//! Subscriptions after checkout: their items and invoices, renewals,
//! payments, cancellation and plan changes (with proration).

use serde_json::{json, Value};

use super::*;

impl Store {
    /// A subscription item with its price (and the legacy plan Stripe still sends).
    pub(super) fn item(&mut self, sub: &str, price: &Value, quantity: i64, start: i64, end: i64) -> Value {
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
    pub(super) fn invoice(
        &mut self,
        sub: &Value,
        amount: i64,
        reason: &str,
        paid: bool,
        created: i64,
    ) -> Value {
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
}

/// Moves a subscription's period on by one month.
pub(super) fn advance_period(sub: &mut Value) {
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
