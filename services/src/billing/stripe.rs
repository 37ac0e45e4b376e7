//! The portal's calls to Stripe, through `async-stripe`. Every call that
//! creates something carries an idempotency key derived from our own row,
//! so a retried request never makes a second customer, session or change.

use std::collections::HashMap;
use std::time::Duration;

use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_configuration::{
    CreateBillingPortalConfiguration, CreateBillingPortalConfigurationFeatures,
    CreateBillingPortalConfigurationFeaturesSubscriptionCancel,
    CreateBillingPortalConfigurationFeaturesSubscriptionUpdate, InvoiceListParam, PaymentMethodUpdateParam,
};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::{
    CreatePreviewInvoice, CreatePreviewInvoiceSubscriptionDetails,
    CreatePreviewInvoiceSubscriptionDetailsItems, CreatePreviewInvoiceSubscriptionDetailsProrationBehavior,
    RetrieveInvoice,
};
use stripe_billing::subscription::{
    CancelSubscription, RetrieveSubscription, UpdateSubscription, UpdateSubscriptionItems,
    UpdateSubscriptionProrationBehavior,
};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionAutomaticTax, CreateCheckoutSessionLineItems,
    CreateCheckoutSessionSubscriptionData,
};
use stripe_core::customer::CreateCustomer;
use stripe_product::price::{CreatePrice, CreatePriceRecurring, CreatePriceRecurringInterval, UpdatePrice};
use stripe_product::product::{CreateProduct, UpdateProduct};

pub use stripe_shared::{Invoice, Subscription};

/// The Stripe client and where it points.
#[derive(Clone)]
pub struct Gateway {
    pub(super) client: Client,
    base_url: String,
    test_mode: bool,
    /// The billing portal configuration made by this process (see `portal`).
    portal_configuration: std::sync::Arc<tokio::sync::OnceCell<String>>,
}

/// Stripe's own API address.
pub const STRIPE_API: &str = "https://api.stripe.com/";

pub(super) fn key(value: String) -> RequestStrategy {
    match IdempotencyKey::new(&value) {
        Ok(key) => RequestStrategy::Idempotent(key),
        Err(_) => RequestStrategy::Once,
    }
}

impl Gateway {
    /// A client for `secret_key` at `base_url` (Stripe's, or the stand-in's).
    pub fn new(secret_key: &str, base_url: Option<&str>) -> Result<Self, StripeError> {
        let mut base_url = base_url.unwrap_or(STRIPE_API).to_string();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        let client = ClientBuilder::new(secret_key)
            .url(base_url.clone())
            .timeout(Duration::from_secs(20))
            .app_info("ksf-hosting-portal", Some(env!("CARGO_PKG_VERSION").into()), None)
            .build()?;
        Ok(Self {
            client,
            base_url,
            test_mode: secret_key.starts_with("sk_test_"),
            portal_configuration: Default::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Test keys: no real money moves (pages say so).
    pub fn test_mode(&self) -> bool {
        self.test_mode
    }

    pub async fn create_customer(
        &self,
        user: uuid::Uuid,
        email: &str,
        name: &str,
    ) -> Result<String, StripeError> {
        let customer = CreateCustomer::new()
            .email(email)
            .name(name)
            .metadata(HashMap::from([("user_id".to_string(), user.to_string())]))
            .customize()
            .request_strategy(key(format!("ksf-customer-{user}")))
            .send(&self.client)
            .await?;
        Ok(customer.id.to_string())
    }

    /// A Checkout Session (mode subscription) for one unit of `price`.
    pub async fn create_checkout(&self, c: &CheckoutRequest<'_>) -> Result<(String, String), StripeError> {
        let metadata = HashMap::from([
            ("order_id".to_string(), c.order.to_string()),
            ("account_id".to_string(), c.account.to_string()),
        ]);
        let mut sub_metadata = metadata.clone();
        sub_metadata.insert("account_name".into(), c.account_name.to_string());
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price = Some(c.price.to_string());
        item.quantity = Some(1);
        let mut subscription = CreateCheckoutSessionSubscriptionData::new();
        subscription.metadata = Some(sub_metadata);
        let mut request = CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Subscription)
            .customer(c.customer)
            .line_items(vec![item])
            .subscription_data(subscription)
            .metadata(metadata)
            .client_reference_id(c.order.to_string())
            .success_url(c.success_url)
            .cancel_url(c.cancel_url);
        if c.tax {
            request = request.automatic_tax(CreateCheckoutSessionAutomaticTax::new(true));
        }
        if c.promotion_codes {
            request = request.allow_promotion_codes(true);
        }
        let session = request
            .customize()
            .request_strategy(key(format!("ksf-order-{}-{}", c.order, c.attempt)))
            .send(&self.client)
            .await?;
        let url = session.url.unwrap_or_default();
        Ok((session.id.to_string(), url))
    }

    pub async fn subscription(&self, id: &str) -> Result<Subscription, StripeError> {
        RetrieveSubscription::new(id).send(&self.client).await
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice, StripeError> {
        RetrieveInvoice::new(id).send(&self.client).await
    }

    /// What moving `subscription`'s item to `price` now would invoice at once.
    pub async fn preview_change(
        &self,
        customer: &str,
        subscription: &str,
        item: &str,
        price: &str,
    ) -> Result<Invoice, StripeError> {
        let mut change = CreatePreviewInvoiceSubscriptionDetailsItems::new();
        change.id = Some(item.to_string());
        change.price = Some(price.to_string());
        let mut details = CreatePreviewInvoiceSubscriptionDetails::new();
        details.items = Some(vec![change]);
        details.proration_behavior =
            Some(CreatePreviewInvoiceSubscriptionDetailsProrationBehavior::AlwaysInvoice);
        CreatePreviewInvoice::new()
            .customer(customer)
            .subscription(subscription)
            .subscription_details(details)
            .send(&self.client)
            .await
    }

    /// Moves the subscription to `price`, invoicing the difference now.
    pub async fn change_price(
        &self,
        subscription: &str,
        item: &str,
        price: &str,
        idempotency: String,
    ) -> Result<Subscription, StripeError> {
        let mut change = UpdateSubscriptionItems::new();
        change.id = Some(item.to_string());
        change.price = Some(price.to_string());
        UpdateSubscription::new(subscription)
            .items(vec![change])
            .proration_behavior(UpdateSubscriptionProrationBehavior::AlwaysInvoice)
            .customize()
            .request_strategy(key(idempotency))
            .send(&self.client)
            .await
    }

    pub async fn set_cancel_at_period_end(
        &self,
        subscription: &str,
        cancel: bool,
        idempotency: String,
    ) -> Result<Subscription, StripeError> {
        UpdateSubscription::new(subscription)
            .cancel_at_period_end(cancel)
            .customize()
            .request_strategy(key(idempotency))
            .send(&self.client)
            .await
    }

    /// Ends the subscription now (the account was cancelled in the portal).
    pub async fn cancel_now(&self, subscription: &str) -> Result<Subscription, StripeError> {
        CancelSubscription::new(subscription).send(&self.client).await
    }

    /// The portal's configuration: cards and invoices only. Cancelling and
    /// changing plans happen in the portal, behind its permission and
    /// step-up checks, never in Stripe's portal. Made once per process (the
    /// key makes it once a day across processes).
    async fn portal_configuration(&self) -> Result<String, StripeError> {
        self.portal_configuration
            .get_or_try_init(|| async {
                let mut features = CreateBillingPortalConfigurationFeatures::new();
                features.invoice_history = Some(InvoiceListParam::new(true));
                features.payment_method_update = Some(PaymentMethodUpdateParam::new(true));
                features.subscription_cancel = Some(
                    CreateBillingPortalConfigurationFeaturesSubscriptionCancel::new(false),
                );
                features.subscription_update = Some(
                    CreateBillingPortalConfigurationFeaturesSubscriptionUpdate::new(false),
                );
                let day = time::OffsetDateTime::now_utc().date();
                let configuration = CreateBillingPortalConfiguration::new(features)
                    .metadata(HashMap::from([("made_by".to_string(), "ksf".to_string())]))
                    .customize()
                    .request_strategy(key(format!("ksf-portal-configuration-v1-{day}")))
                    .send(&self.client)
                    .await?;
                Ok::<String, StripeError>(configuration.id.to_string())
            })
            .await
            .cloned()
    }

    /// A Billing Portal session's URL (cards and invoices).
    pub async fn portal(
        &self,
        customer: &str,
        return_url: &str,
        idempotency: String,
    ) -> Result<String, StripeError> {
        let configuration = self.portal_configuration().await?;
        let session = CreateBillingPortalSession::new()
            .configuration(configuration)
            .customer(customer)
            .return_url(return_url)
            .customize()
            .request_strategy(key(idempotency))
            .send(&self.client)
            .await?;
        Ok(session.url)
    }

    /// Creates the plan's product (`id` is ours) or renames it.
    /// Updates the product, or makes it when Stripe does not have it (never
    /// made, or another Stripe account: test keys swapped for live ones).
    /// Answers whether it was made.
    pub async fn upsert_product(
        &self,
        id: &str,
        exists: bool,
        name: &str,
        active: bool,
    ) -> Result<bool, StripeError> {
        if exists {
            match UpdateProduct::new(id)
                .name(name)
                .active(active)
                .send(&self.client)
                .await
            {
                Ok(_) => return Ok(false),
                Err(StripeError::Stripe(_, 404)) => {
                    tracing::warn!(product = id, "Stripe does not know this product: making it again");
                }
                Err(e) => return Err(e),
            }
        }
        CreateProduct::new(name)
            .id(id)
            .active(active)
            .customize()
            .request_strategy(key(format!("ksf-product-{id}")))
            .send(&self.client)
            .await?;
        Ok(true)
    }

    /// A monthly price for the product; the key makes one per amount.
    pub async fn create_price(
        &self,
        product: &str,
        amount: i64,
        currency: &str,
        plan: &str,
    ) -> Result<String, StripeError> {
        let code = currency.to_ascii_lowercase();
        let currency: stripe_types::Currency = code
            .parse()
            .map_err(|_| StripeError::ConfigError(format!("unknown currency {code}")))?;
        let price = CreatePrice::new(currency)
            .product(product)
            .unit_amount(amount)
            .nickname(plan)
            .recurring(CreatePriceRecurring::new(CreatePriceRecurringInterval::Month))
            .metadata(HashMap::from([("plan".to_string(), plan.to_string())]))
            .customize()
            .request_strategy(key(format!("ksf-price-{product}-{amount}-{code}")))
            .send(&self.client)
            .await?;
        Ok(price.id.to_string())
    }

    /// Archives a price: existing subscriptions keep it, new ones cannot use it.
    pub async fn archive_price(&self, price: &str) -> Result<(), StripeError> {
        UpdatePrice::new(price).active(false).send(&self.client).await?;
        Ok(())
    }
}

/// What a checkout is for.
pub struct CheckoutRequest<'a> {
    pub order: uuid::Uuid,
    /// Bumped for each new session of the same order (the old one expired).
    pub attempt: i64,
    pub account: uuid::Uuid,
    pub account_name: &'a str,
    pub customer: &'a str,
    pub price: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub tax: bool,
    pub promotion_codes: bool,
}
