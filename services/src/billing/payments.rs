//! One-time payments (domain registrations): a Checkout Session in payment
//! mode for an amount we price ourselves, and its refund when what was
//! paid for cannot be delivered. Idempotency keys come from our own rows.

use std::collections::HashMap;

use stripe::{StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAllowedPaymentMethodTypes, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionPaymentIntentData, ProductData,
};
use stripe_core::refund::CreateRefund;
use uuid::Uuid;

use super::stripe::{key, Gateway};

/// A payment for one thing, at a price we set.
#[derive(Debug, Clone, Copy)]
pub struct PaymentRequest<'a> {
    /// Our row the payment is for, and how many sessions were opened for it.
    pub order: Uuid,
    pub attempt: i64,
    /// The metadata key naming the order (`domain_order_id`).
    pub order_key: &'a str,
    pub customer: &'a str,
    pub description: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// When the session stops taking payment (unix time): before our order
    /// page offers a new one, so two sessions of one order are never both
    /// payable.
    pub expires_at: i64,
}

impl Gateway {
    /// A Checkout Session (mode payment): answers its id and URL.
    pub async fn create_payment_checkout(
        &self,
        p: &PaymentRequest<'_>,
    ) -> Result<(String, String), StripeError> {
        let metadata = HashMap::from([(p.order_key.to_string(), p.order.to_string())]);
        let code = p.currency.to_ascii_lowercase();
        let currency: stripe_types::Currency = code
            .parse()
            .map_err(|_| StripeError::ConfigError(format!("unknown currency {code}")))?;
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(currency);
        price.unit_amount = Some(p.amount_minor);
        price.product_data = Some(ProductData::new(p.description));
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());
        intent.description = Some(p.description.to_string());
        let session = CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Payment)
            .customer(p.customer)
            .line_items(vec![item])
            .payment_intent_data(intent)
            .metadata(metadata)
            .client_reference_id(p.order.to_string())
            .success_url(p.success_url)
            .cancel_url(p.cancel_url)
            .expires_at(p.expires_at)
            // Cards only: a payment that completes days later (bank debits)
            // would arrive after the order could still be carried out.
            .allowed_payment_method_types(vec![CreateCheckoutSessionAllowedPaymentMethodTypes::Card])
            .customize()
            .request_strategy(key(format!("ksf-payment-{}-{}", p.order, p.attempt)))
            .send(&self.client)
            .await?;
        Ok((session.id.to_string(), session.url.unwrap_or_default()))
    }

    /// Refunds a payment in full, once (the key is the order's).
    pub async fn refund(&self, payment_intent: &str, order: Uuid) -> Result<String, StripeError> {
        let refund = CreateRefund::new()
            .payment_intent(payment_intent)
            .metadata(HashMap::from([("order_id".to_string(), order.to_string())]))
            .customize()
            .request_strategy(key(format!("ksf-refund-{order}")))
            .send(&self.client)
            .await?;
        Ok(refund.id.to_string())
    }
}
