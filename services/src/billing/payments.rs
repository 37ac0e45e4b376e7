//! One-time payments (domain registrations): a Checkout Session in payment
//! mode for an amount we price ourselves, a charge of the saved card for
//! automatic renewals, and the refund when what was paid for cannot be
//! delivered. Idempotency keys come from our own rows.

use std::collections::HashMap;

use stripe::{StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAllowedPaymentMethodTypes, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionLineItemsPriceData, CreateCheckoutSessionPaymentIntentData,
    CreateCheckoutSessionPaymentIntentDataSetupFutureUsage, ProductData,
};
use stripe_client_core::{RequestBuilder, StripeMethod};
use stripe_core::customer::{RetrieveCustomer, RetrieveCustomerReturned};
use stripe_core::refund::CreateRefund;
use stripe_shared::{PaymentIntent, PaymentIntentStatus};
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
    /// Keep the card for charges made later without the customer
    /// (automatic renewals).
    pub save_card: bool,
}

/// A charge of a saved card without the customer.
#[derive(Debug, Clone, Copy)]
pub struct OffSessionCharge<'a> {
    pub order: Uuid,
    pub attempt: i64,
    pub order_key: &'a str,
    pub customer: &'a str,
    pub description: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// What came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    /// Paid: the PaymentIntent's id.
    Paid(String),
    /// Declined, in the words of Stripe (for the customer).
    Declined(String),
    /// The customer has no saved card.
    NoCard,
}

#[derive(serde::Serialize)]
struct OffSessionForm<'a> {
    amount: i64,
    currency: &'a str,
    customer: &'a str,
    payment_method: &'a str,
    off_session: bool,
    confirm: bool,
    description: &'a str,
    metadata: HashMap<&'a str, String>,
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
        if p.save_card {
            intent.setup_future_usage =
                Some(CreateCheckoutSessionPaymentIntentDataSetupFutureUsage::OffSession);
        }
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

    /// Charges the customer's default card while they are away (an
    /// automatic renewal), once per `(order, attempt)`.
    pub async fn charge_saved_card(&self, c: &OffSessionCharge<'_>) -> Result<Charge, StripeError> {
        let customer = RetrieveCustomer::new(c.customer).send(&self.client).await?;
        let card = match customer {
            RetrieveCustomerReturned::Customer(customer) => customer
                .invoice_settings
                .and_then(|s| s.default_payment_method)
                .map(|pm| pm.id().to_string()),
            RetrieveCustomerReturned::DeletedCustomer(_) => None,
        };
        let Some(card) = card else {
            return Ok(Charge::NoCard);
        };
        let form = OffSessionForm {
            amount: c.amount_minor,
            currency: &c.currency.to_ascii_lowercase(),
            customer: c.customer,
            payment_method: &card,
            off_session: true,
            confirm: true,
            description: c.description,
            metadata: HashMap::from([(c.order_key, c.order.to_string())]),
        };
        let sent = RequestBuilder::new(StripeMethod::Post, "/payment_intents")
            .form(&form)
            .customize::<PaymentIntent>()
            .request_strategy(key(format!("ksf-charge-{}-{}", c.order, c.attempt)))
            .send(&self.client)
            .await;
        match sent {
            Ok(intent) if intent.status == PaymentIntentStatus::Succeeded => {
                Ok(Charge::Paid(intent.id.to_string()))
            }
            Ok(intent) => Ok(Charge::Declined(format!(
                "The payment was not completed ({}).",
                intent.status
            ))),
            // Card errors: the bank or the card said no.
            Err(StripeError::Stripe(error, 402)) => Ok(Charge::Declined(
                error
                    .message
                    .clone()
                    .unwrap_or_else(|| "Your card was declined.".into()),
            )),
            Err(e) => Err(e),
        }
    }

    /// Refunds a payment in full, once (the key is the order's).
    pub async fn refund(&self, payment_intent: &str, order: Uuid) -> Result<String, StripeError> {
        self.refund_keyed(payment_intent, order, &format!("ksf-refund-{order}"))
            .await
    }

    /// Refunds a payment in full, once per `idempotency_key`.
    pub async fn refund_keyed(
        &self,
        payment_intent: &str,
        order: Uuid,
        idempotency_key: &str,
    ) -> Result<String, StripeError> {
        let refund = CreateRefund::new()
            .payment_intent(payment_intent)
            .metadata(HashMap::from([("order_id".to_string(), order.to_string())]))
            .customize()
            .request_strategy(key(idempotency_key.to_string()))
            .send(&self.client)
            .await?;
        Ok(refund.id.to_string())
    }
}
